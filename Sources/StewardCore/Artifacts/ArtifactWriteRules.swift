/// Which artifact paths the MLflow artifact routes may change.
///
/// A registered model version's files, and a logged model's once it is finished, are what evaluations, approvals
/// and promotions rest on: from then on they are immutable. A write or delete at or below them, or a delete of a
/// folder above them, is refused with 403 naming what owns the path, and the refusal is audited.
public struct ArtifactWriteRules: Sendable {
    let registry: any ModelRegistryRepository
    let loggedModels: any LoggedModelRepository
    let gate: (any PromotionGate)?
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(
        registry: any ModelRegistryRepository, loggedModels: any LoggedModelRepository, gate: (any PromotionGate)?, audit: any AuditRepository,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.registry = registry
        self.loggedModels = loggedModels
        self.gate = gate
        self.audit = audit
        self.now = now
    }

    /// The scheme of locations whose artifacts this server stores.
    public static let scheme = "mlflow-artifacts:/"

    /// Refuses a change at `path` that would touch a registered version's files or a finished logged model's.
    public func requireChangeable(_ path: ArtifactPath, deleting: Bool, actor: Principal) async throws {
        var locations: [String] = []
        var prefix = Self.scheme
        for (index, component) in path.components.enumerated() {
            prefix += (index == 0 ? "" : "/") + component
            locations.append(prefix)
        }
        // A delete of a folder takes everything below it along.
        let below = deleting ? (path.isRoot ? Self.scheme : Self.scheme + path.string + "/") : nil
        let action = deleting ? "artifact.delete" : "artifact.write"
        if let owner = try await registry.versionStored(at: locations, orBelow: below) {
            try await audit.refuse(
                AuditEntry(
                    actor: actor, action: action, target: "model:\(owner.name)/\(owner.version)",
                    systemID: try await gate?.systemID(owning: owner.name),
                    details: ["path": String(path.string.prefix(500))]),
                StewardError(
                    .permissionDenied,
                    "'\(path)' \(deleting ? "holds" : "belongs to") the files of version \(owner.version) of '\(owner.name)', which are immutable "
                        + "once registered: what was approved is what is served. Log the changed files to a new location and register them "
                        + "as a new version."),
                now: now())
        }
        if let model = try await loggedModels.finishedModel(storedAt: locations, orBelow: below) {
            try await audit.refuse(
                AuditEntry(actor: actor, action: action, target: "logged_model:\(model)", details: ["path": String(path.string.prefix(500))]),
                StewardError(
                    .permissionDenied,
                    "'\(path)' \(deleting ? "holds" : "belongs to") the artifacts of logged model \(model), which are immutable once it is "
                        + "finished (READY). Log a new model instead."),
                now: now())
        }
    }
}
