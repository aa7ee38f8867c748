import Synchronization

/// Deployments as last decoded, by id, each valid for the revision it was read at; shared by the requests of one
/// process. It never decides what is live (the store does, on every request), only saves decoding it again.
final class LiveDeploymentCache: Sendable {
    private let entries = Mutex<[String: Deployment]>([:])
    /// Beyond this many deployments the cache starts over (a server serves far fewer systems).
    static let capacity = 4096

    func deployment(id: String, revision: Int64) -> Deployment? {
        entries.withLock { entries in entries[id].flatMap { $0.revision == revision ? $0 : nil } }
    }

    func store(_ deployment: Deployment) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[deployment.id] = deployment
        }
    }
}
