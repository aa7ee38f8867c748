import Synchronization

/// What the serving route last learned from the store, shared by the requests of one process: which deployment
/// serves each system (as the route named it, by id or name) under the store's current change stamp, and each
/// deployment as decoded, valid for the revision it was read at.
///
/// It never decides what is live on its own: an answer is used only while the store's change stamp is the one
/// it was read under, so a commit anywhere (a weight set to 0 on another replica) applies from the next request
/// on. Stores that cannot stamp cheaply (PostgreSQL) are asked on every request, and only decoding is saved.
final class LiveDeploymentCache: Sendable {
    private struct State {
        var stamp: Int64?
        /// System (as named on the route) → the live deployment's id and revision, or nil for none; valid under `stamp`.
        var live: [String: (id: String, revision: Int64)?] = [:]
        var decoded: [String: Deployment] = [:]
    }

    private let state = Mutex(State())
    /// Beyond this many systems or deployments the cache starts over (a server serves far fewer).
    static let capacity = 4096

    /// The deployment serving `system` as last read under `stamp`: `.some(nil)` when none does, nil when unknown.
    func live(system: String, stamp: Int64) -> Deployment?? {
        state.withLock { state -> Deployment?? in
            guard state.stamp == stamp, let entry = state.live[system] else { return nil }
            guard let (id, revision) = entry else { return .some(nil) }
            guard let deployment = state.decoded[id], deployment.revision == revision else { return nil }
            return .some(deployment)
        }
    }

    /// Remembers which deployment serves `system` as read under `stamp` (a read started after the stamp was
    /// taken, so that a change during the read shows as a newer stamp).
    func remember(system: String, live: (id: String, revision: Int64)?, stamp: Int64) {
        state.withLock { state in
            if state.stamp != stamp || state.live.count >= Self.capacity {
                state.stamp = stamp
                state.live.removeAll(keepingCapacity: true)
            }
            state.live[system] = .some(live)
        }
    }

    func deployment(id: String, revision: Int64) -> Deployment? {
        state.withLock { state in state.decoded[id].flatMap { $0.revision == revision ? $0 : nil } }
    }

    func store(_ deployment: Deployment) {
        state.withLock { state in
            if state.decoded.count >= Self.capacity { state.decoded.removeAll(keepingCapacity: true) }
            state.decoded[deployment.id] = deployment
        }
    }
}
