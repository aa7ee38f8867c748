/// The one decision on whether a model version may reach a protected alias or the Production stage, consulted by
/// every path (MLflow's alias and stage routes, Steward's promote and rollback, the command line): the system's
/// tier's controls checked on facts read once, the version's content checked last, and the allowing audit entry
/// carrying the point of the audit chain the facts were read at (`AuditEntry.decidedAfter`). It also decides what
/// may change a governed model's name, and audits changes to governed models.
public struct PromotionDecision: PromotionGate {
    let systems: any SystemRepository
    let policies: PolicyService
    let facts: DecisionFacts
    let registry: any ModelRegistryRepository
    let integrity: ContentIntegrity
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(
        systems: any SystemRepository, policies: PolicyService, facts: DecisionFacts, registry: any ModelRegistryRepository,
        integrity: ContentIntegrity, audit: any AuditRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.systems = systems
        self.policies = policies
        self.facts = facts
        self.registry = registry
        self.integrity = integrity
        self.audit = audit
        self.now = now
    }

    func policy() async throws -> PolicyVersion { try await policies.policy() }

    func require(_ actor: Principal, _ roles: Set<Role>, to verb: String, _ entry: AuditEntry) async throws {
        try await audit.require(actor, roles, to: verb, entry, now: now())
    }

    /// Every control the system's tier requires, checked for one model version and target.
    public func controls(systemID: String, model: String, version: String, target: PromotionTarget = .alias("production")) async throws -> (
        tier: RiskTier, controls: [ControlEvaluation]
    ) {
        let system = try await systems.system(id: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
        let policy = try await policy().policy
        let modelVersion = try await registry.modelVersion(name: model, version: try ModelRegistryService.versionNumber(version))
        return (
            system.riskTier,
            ControlEvaluation.evaluate(policy, try await facts.facts(system: system, version: modelVersion, target: target, policy: policy))
        )
    }

    // MARK: Promotion gate

    public func isProtected(_ target: PromotionTarget) async throws -> Bool {
        Self.isProtected(target, by: try await policy().policy)
    }

    static func isProtected(_ target: PromotionTarget, by policy: GovernancePolicy) -> Bool {
        switch target {
        case .alias(let alias): policy.isProtected(alias: alias)
        case .stage(let stage): stage == .production
        }
    }

    public func authorize(model: String, version: Int64, target: PromotionTarget, actor: Principal, action: String) async throws -> AuditEntry? {
        // Read before any fact, so that the write can tell whether one changed under the decision.
        let basis = try await audit.head()?.sequence ?? 0
        let policy = try await policy().policy
        var entry = AuditEntry(actor: actor, action: action, target: "model:\(model)/\(version)", details: ["to": target.description])
        guard Self.isProtected(target, by: policy) else {
            if case .alias(let alias) = target, let imitated = policy.protectedAlias(imitatedBy: alias) {
                entry.systemID = try await systems.system(owning: model)?.id
                try await refuse(
                    entry,
                    .invalidParameter(
                        "Alias '\(alias)' reads as the protected alias '\(imitated)' (its letters are look-alikes, or differ only in "
                            + "accents); it would look protected without being so. Choose another name."))
            }
            return nil
        }
        let modelVersion = try await registry.modelVersion(name: model, version: version)
        guard let system = try await systems.system(owning: model) else {
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "Promotion of '\(model)' version \(version) to \(target) refused: the model belongs to no AI system in the register. "
                        + "Register the system and link the model (POST /api/v1/systems) first."))
        }
        entry.systemID = system.id
        entry.details["risk_tier"] = system.riskTier.rawValue
        let evaluations = ControlEvaluation.evaluate(
            policy, try await facts.facts(system: system, version: modelVersion, target: target, policy: policy))
        let missing = evaluations.filter { !$0.satisfied }
        if !missing.isEmpty {
            entry.details["missing"] = missing.map(\.name).joined(separator: ",")
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "Promotion of '\(model)' version \(version) to \(target) refused: system '\(system.name)' is \(system.riskTier.rawValue) risk "
                        + "and \(missing.count) required control\(missing.count == 1 ? " is" : "s are") missing: "
                        + missing.map { "\($0.name) (\($0.detail); to meet it, \($0.remedy ?? "see the policy"))" }.joined(separator: "; ") + "."))
        }
        entry.details["controls"] = evaluations.map(\.name).joined(separator: ",")
        entry.details["content_digest"] = try await integrity.verifiedDigest(of: modelVersion, actor: actor, action: action, refusing: entry)
        entry.decidedAfter = basis
        return entry
    }

    /// Taking a version out of a protected target makes the name resolve to nothing there: an operational decision
    /// (pulling a model from production) for reviewers, compliance officers and admins, audited either way.
    public func release(model: String, target: PromotionTarget, actor: Principal) async throws -> AuditEntry? {
        guard try await isProtected(target) else { return nil }
        let entry = AuditEntry(
            actor: actor, action: "promotion.release", target: "model:\(model)", systemID: try await systems.system(owning: model)?.id,
            details: ["from": target.description])
        try await require(actor, GovernanceRoles.approvers, to: "take a model out of \(target)", entry)
        return entry
    }

    public func systemID(owning model: String) async throws -> String? {
        try await systems.system(owning: model)?.id
    }

    public func cardGovernance(model: String, version: Int64) async throws -> ModelCard.Governance? {
        guard let system = try await systems.system(owning: model) else { return nil }
        let policy = try await policy().policy
        let modelVersion = try await registry.modelVersion(name: model, version: version)
        let held = modelVersion.aliases.first { policy.isProtected(alias: $0) }
        let target: PromotionTarget =
            held.map { .alias($0) } ?? (modelVersion.currentStage == .production ? .stage(.production) : .alias(policy.protectedAliases[0]))
        return ModelCard.Governance(
            systemID: system.id, systemName: system.name, systemPurpose: system.profile.purpose, riskTier: system.riskTier, target: target.name,
            controls: ControlEvaluation.evaluate(
                policy, try await facts.facts(system: system, version: modelVersion, target: target, policy: policy)),
            approvals: try await facts.approvals.approvalRequests(systemID: system.id, model: model, version: version))
    }

    public func refuse(_ entry: AuditEntry, _ error: StewardError) async throws -> Never {
        try await audit.refuse(entry, error, now: now())
    }

    public func authorize(_ change: NameChange, actor: Principal) async throws -> NameDecision {
        let policy = try await policy().policy
        let guarded = NameGuard(governor: actor.role.map(GovernanceRoles.governors.contains) ?? false) { policy.isProtected(alias: $0) }
        let model: String
        var entry: AuditEntry
        switch change {
        case .create(let name):
            entry = AuditEntry(actor: actor, action: "model.create", target: "model:\(name)")
            // A name that is taken is the store's answer (already exists), which MLflow's client takes as fine.
            guard (try? await registry.registeredModel(name: name)) == nil, let reserved = try await registry.reservation(of: name) else {
                return NameDecision(guarded: guarded, refusal: entry)
            }
            entry.systemID = reserved.systemID
            entry.details["reserved_for"] = reserved.systemID
            try await require(actor, GovernanceRoles.governors, to: Self.takingAReservedName, entry)
            return NameDecision(audit: entry, guarded: guarded, refusal: entry)
        case .rename(let from, let to):
            model = from
            entry = AuditEntry(actor: actor, action: "model.rename", target: "model:\(from)", details: ["to": to])
        case .delete(let name):
            model = name
            entry = AuditEntry(actor: actor, action: "model.delete", target: "model:\(name)")
        }
        let registered = try await registry.registeredModel(name: model)
        let system = try await systems.system(owning: model)
        entry.systemID = system?.id
        if let held = Self.protectedHolding(registered, policy: policy) { try await refuse(entry, NameGuard.holding(model, held, change)) }
        if let system {
            try await require(actor, GovernanceRoles.governors, to: "\(change.verb) a model of AI system '\(system.name)'", entry)
        }
        var reserved: NameReservation?
        if case .rename(_, let to) = change, let reservation = try await registry.reservation(of: to) {
            reserved = reservation
            entry.details["reserved_for"] = reservation.systemID
            try await require(actor, GovernanceRoles.governors, to: Self.takingAReservedName, entry)
        }
        guard system != nil || reserved != nil else { return NameDecision(guarded: guarded, refusal: entry) }
        return NameDecision(audit: entry, guarded: guarded, refusal: entry)
    }

    static let takingAReservedName = "take the name of a model that belonged to an AI system"

    public func authorizeVersionDeletion(model: String, version: Int64, actor: Principal) async throws -> AuditEntry? {
        let modelVersion = try await registry.modelVersion(name: model, version: version)
        let system = try await systems.system(owning: model)
        let entry = AuditEntry(
            actor: actor, action: "model_version.delete", target: "model:\(model)/\(version)", systemID: system?.id,
            details: ["version": "\(version)"])
        let policy = try await policy().policy
        let aliases = modelVersion.aliases.filter { policy.isProtected(alias: $0) }
        if !aliases.isEmpty || modelVersion.currentStage == .production {
            let held = aliases.first.map { "the protected alias '\($0)'" } ?? "the Production stage"
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "Version \(version) of '\(model)' holds \(held): deleting it would leave that without a promotion. Promote or roll back "
                        + "another version, or release it (audited), first."))
        }
        return system == nil ? nil : entry
    }

    /// A protected alias or the Production stage a model holds, described, if any.
    static func protectedHolding(_ model: RegisteredModel, policy: GovernancePolicy) -> String? {
        if let alias = model.aliases.first(where: { policy.isProtected(alias: $0.alias) }) {
            return "the protected alias '\(alias.alias)' (version \(alias.version))"
        }
        if let version = model.latestVersions.first(where: { $0.currentStage == .production }) {
            return "version \(version.version) in the Production stage"
        }
        return nil
    }

    public func requireComponent(systemID: String, model: String, actor: Principal, action: String) async throws {
        let system = try await systems.system(id: systemID)
        try await audit.requireContributor(actor, action, target: "model:\(model)", systemID: systemID, now: now())
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
    }

    // MARK: Serving

    /// What keeps `version` from serving in `role` in a deployment of `system`: each control the policy's
    /// `serving` list and the system's tier both require and the version lacks, with how to meet it. Empty when
    /// it may serve. Read from the same facts as a promotion.
    public func servingRefusals(system: AISystem, version: ModelVersion, role: GovernancePolicy.ServingRole) async throws -> [String] {
        let policy = try await policy().policy
        let needed = Set(policy.controls(for: system.riskTier, serving: role).map(\.name))
        guard !needed.isEmpty else { return [] }
        let target = PromotionTarget.alias(policy.protectedAliases[0])
        let evaluations = ControlEvaluation.evaluate(policy, try await facts.facts(system: system, version: version, target: target, policy: policy))
        return evaluations.filter { needed.contains($0.name) && !$0.satisfied }.map {
            "\($0.name) (\($0.detail); to meet it, \($0.remedy ?? "see the policy"))"
        }
    }

    /// Why the policy refuses `version` a `weight`% share of `system`'s real requests (or, as a `shadow`, copies
    /// of them): a version holding a protected alias was promoted and may take any share; any other at 100% is
    /// promotion, which it has not been through (`promote` says how to); with a share below that it is a
    /// challenger (or a shadow) and needs the controls the policy's `serving` list names for the tier. Empty when
    /// it may serve. Deployments' arms and prompt experiments' versions are both checked here.
    public func trafficRefusals(
        system: AISystem, version: ModelVersion, weight: Double, role: GovernancePolicy.ServingRole, promote: String
    ) async throws -> [String] {
        let shadow = role == .shadow
        let (held, protected) = try await protectedAlias(heldIn: version.aliases)
        if held != nil { return [] }
        if !shadow && weight >= 100 {
            return [
                "full traffic is promotion, and version \(version.version) of '\(version.name)' holds no protected alias "
                    + "(\(protected.joined(separator: ", "))); \(promote)"
            ]
        }
        if !shadow && weight == 0 { return [] }
        return try await servingRefusals(system: system, version: version, role: role)
    }

    /// The protected alias (in the policy's spelling) that `aliases` hold, and the policy's protected aliases.
    public func protectedAlias(heldIn aliases: [String]) async throws -> (held: String?, all: [String]) {
        let policy = try await policy().policy
        return (policy.protectedAlias(heldIn: aliases), policy.protectedAliases)
    }
}
