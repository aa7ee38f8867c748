import Foundation

/// The governance rules: the AI Register and risk tiers, the policy in force, evidence, approvals with
/// separation of duties, the promotion decision every path consults, rollback, incidents and the register's
/// reports. Every change is audited in the transaction that makes it; every refusal is audited too.
public struct GovernanceService: Sendable {
    let repository: any GovernanceRepository
    let audit: any AuditRepository
    let registry: any ModelRegistryRepository
    let runs: any RunRepository
    let evaluations: any EvaluationRepository
    /// Checks a version's content before it is approved or promoted.
    let integrity: ContentIntegrity
    /// Where the monitoring controls read a system's reference profile and alert rules.
    let monitoring: any MonitoringRepository
    let now: @Sendable () -> Int64

    public init(
        repository: any GovernanceRepository, audit: any AuditRepository, registry: any ModelRegistryRepository, runs: any RunRepository,
        evaluations: any EvaluationRepository, integrity: ContentIntegrity, monitoring: any MonitoringRepository,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.monitoring = monitoring
        self.integrity = integrity
        self.repository = repository
        self.audit = audit
        self.registry = registry
        self.runs = runs
        self.evaluations = evaluations
        self.now = now
    }

    /// Roles that may change the register, add evidence, ask for approvals, promote and roll back.
    static let contributors: Set<Role> = [.contributor, .reviewer, .compliance, .admin]
    /// Roles that may decide approvals.
    static let approvers: Set<Role> = [.reviewer, .compliance, .admin]
    /// Roles that may change the policy and override tiers.
    static let governors: Set<Role> = [.compliance, .admin]

    /// A fresh identifier such as `sys-3f9c0a61b2d4`.
    static func identifier(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + "-" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// Refuses, auditing the refusal, unless `actor` is unauthenticated on an open server or holds one of `roles`.
    func requireWrite(_ actor: Principal, _ action: String, target: String, systemID: String?) async throws {
        guard let role = actor.role, !Self.contributors.contains(role) else { return }
        try await refuse(
            AuditEntry(actor: actor, action: action, target: target, systemID: systemID),
            StewardError(.permissionDenied, "User '\(actor.name)' (\(role.rawValue)) may not change governance records."))
    }

    /// Requires an authenticated identity with one of `roles`; audits and rethrows a refusal.
    func require(_ actor: Principal, _ roles: Set<Role>, to verb: String, _ entry: AuditEntry) async throws {
        try await audit.require(actor, roles, to: verb, entry, now: now())
    }

    /// Appends a refusal to the audit log and throws the error that explains it.
    func refuse(_ entry: AuditEntry, _ error: StewardError) async throws -> Never {
        try await audit.refuse(entry, error, now: now())
    }

    // MARK: Register

    /// Suggests a tier from questionnaire answers.
    public static func classify(_ questionnaire: RiskQuestionnaire) -> (tier: RiskTier, reasons: [String]) {
        questionnaire.suggestedTier()
    }

    /// Registers a system; its tier is the questionnaire's suggestion until compliance overrides it.
    public func createSystem(_ draft: SystemDraft, actor: Principal) async throws -> AISystem {
        guard let name = draft.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 200 else {
            throw StewardError.invalidParameter("A system needs a name of 1 to 200 characters.")
        }
        try await requireWrite(actor, "system.create", target: "system:\(name)", systemID: nil)
        var profile = SystemProfile()
        try draft.apply(to: &profile)
        let status = try draft.status.map(Self.status) ?? .proposed
        let questionnaire = draft.questionnaire ?? RiskQuestionnaire()
        let (tier, reasons) = questionnaire.suggestedTier()
        let time = now()
        let system = AISystem(
            id: Self.identifier("sys"), name: name, status: status, profile: profile, questionnaire: questionnaire, riskTier: tier,
            tierRationale: reasons.joined(separator: "; "), tierSource: .questionnaire,
            components: try Self.components(models: draft.models ?? [], prompts: draft.prompts ?? []),
            createdAt: time, updatedAt: time, createdBy: actor.name)
        try await repository.createSystem(
            system,
            audit: AuditEntry(
                actor: actor, action: "system.create", target: "system:\(system.id)", systemID: system.id,
                details: ["name": name, "risk_tier": tier.rawValue, "components": system.components.map(\.name).joined(separator: ",")]))
        return system
    }

    /// Changes a system's descriptive fields or status. New questionnaire answers re-suggest its tier unless
    /// compliance has overridden it; answers that would lower the tier need compliance or an admin.
    public func updateSystem(id: String, _ draft: SystemDraft, actor: Principal) async throws -> AISystem {
        let stored = try await repository.system(id: id)
        var system = stored
        try await requireWrite(actor, "system.update", target: "system:\(id)", systemID: id)
        if draft.models != nil || draft.prompts != nil {
            throw StewardError.invalidParameter("Link and unlink models with /api/v1/systems/{id}/models, not by updating the system.")
        }
        if let name = draft.name {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 200 else {
                throw StewardError.invalidParameter("A system needs a name of 1 to 200 characters.")
            }
            system.name = name
        }
        try draft.apply(to: &system.profile)
        var details: [String: String] = [:]
        if let status = try draft.status.map(Self.status), status != system.status {
            details["status"] = "\(system.status.rawValue) -> \(status.rawValue)"
            system.status = status
        }
        if let questionnaire = draft.questionnaire {
            system.questionnaire = questionnaire
            if system.tierSource == .questionnaire {
                let (tier, reasons) = questionnaire.suggestedTier()
                if tier != system.riskTier { details["risk_tier"] = "\(system.riskTier.rawValue) -> \(tier.rawValue)" }
                if tier < system.riskTier {
                    try await require(
                        actor, Self.governors, to: "lower a system's risk tier",
                        AuditEntry(actor: actor, action: "system.update", target: "system:\(id)", systemID: id, details: details))
                }
                system.riskTier = tier
                system.tierRationale = reasons.joined(separator: "; ")
            }
        }
        system.updatedAt = max(now(), stored.updatedAt + 1)
        try await repository.updateSystem(
            system, expectedUpdatedAt: stored.updatedAt,
            audit: AuditEntry(actor: actor, action: "system.update", target: "system:\(id)", systemID: id, details: details))
        return system
    }

    /// Sets a system's tier against the questionnaire's suggestion: compliance or admin only, with a rationale.
    public func overrideTier(systemID: String, tier: RiskTier, rationale: String, actor: Principal) async throws -> AISystem {
        var system = try await repository.system(id: systemID)
        let entry = AuditEntry(
            actor: actor, action: "system.tier_override", target: "system:\(systemID)", systemID: systemID,
            details: ["from": system.riskTier.rawValue, "to": tier.rawValue, "rationale": rationale])
        try await require(actor, Self.governors, to: "override a risk tier", entry)
        guard !rationale.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StewardError.invalidParameter("A tier override needs a rationale.")
        }
        let previous = system.updatedAt
        system.riskTier = tier
        system.tierRationale = rationale
        system.tierSource = .override
        system.updatedAt = max(now(), previous + 1)
        try await repository.updateSystem(system, expectedUpdatedAt: previous, audit: entry)
        return system
    }

    public func system(id: String) async throws -> AISystem {
        try await repository.system(id: id)
    }

    public func systems() async throws -> [AISystem] {
        try await repository.systems()
    }

    /// Adds a registered model or prompt to a system.
    public func link(systemID: String, name: String, kind: SystemComponent.Kind, actor: Principal) async throws -> AISystem {
        _ = try await repository.system(id: systemID)
        try await requireWrite(actor, "system.link", target: "system:\(systemID)", systemID: systemID)
        _ = try await registry.registeredModel(name: name)
        try await repository.link(
            SystemComponent(name: name, kind: kind), to: systemID, now: now(),
            audit: AuditEntry(
                actor: actor, action: "system.link", target: "system:\(systemID)", systemID: systemID,
                details: ["model": name, "kind": kind.rawValue]))
        return try await repository.system(id: systemID)
    }

    /// Removes a model from a system: compliance or admin only, since a model out of its system could be linked
    /// to a lower-tier one.
    public func unlink(systemID: String, name: String, actor: Principal) async throws -> AISystem {
        _ = try await repository.system(id: systemID)
        try await require(
            actor, Self.governors, to: "unlink a model from its system",
            AuditEntry(actor: actor, action: "system.unlink", target: "system:\(systemID)", systemID: systemID, details: ["model": name]))
        try await repository.unlink(
            name, from: systemID, now: now(),
            audit: AuditEntry(actor: actor, action: "system.unlink", target: "system:\(systemID)", systemID: systemID, details: ["model": name]))
        return try await repository.system(id: systemID)
    }

    static func components(models: [String], prompts: [String]) throws(StewardError) -> [SystemComponent] {
        let components = models.map { SystemComponent(name: $0, kind: .model) } + prompts.map { SystemComponent(name: $0, kind: .prompt) }
        var seen: Set<String> = []
        if let repeated = components.first(where: { !seen.insert($0.name).inserted }) {
            throw .invalidParameter("'\(repeated.name)' is listed twice; a model or prompt is linked once.")
        }
        return components
    }

    static func status(_ text: String) throws(StewardError) -> AISystem.Status { try AISystem.Status(parsing: text) }

    // MARK: Policy

    /// The policy in force: the newest stored version, or the shipped default as version 0.
    public func policy() async throws -> PolicyVersion {
        try await repository.currentPolicy() ?? PolicyVersion(version: 0, policy: .default, author: "steward", createdAt: 0)
    }

    /// Validates and stores a new policy version: compliance or admin only.
    public func setPolicy(document: String, actor: Principal) async throws -> PolicyVersion {
        let entry = AuditEntry(actor: actor, action: "policy.update", target: "policy")
        try await require(actor, Self.governors, to: "change the governance policy", entry)
        let policy = try GovernancePolicy(yaml: document)
        var stored = entry
        stored.details = ["digest": SHA256Digest.hex(of: Data(document.utf8))]
        let time = now()
        let version = try await repository.storePolicy(document: document, author: actor.name, now: time, audit: stored)
        return PolicyVersion(version: version, policy: policy, author: actor.name, createdAt: time)
    }

    // MARK: Evidence

    /// Records evidence that a control is met, for the system or for one model version of it.
    public func addEvidence(
        systemID: String, type: String, reference: String, digest: String, model: String?, version: String?, actor: Principal
    ) async throws -> Evidence {
        let system = try await repository.system(id: systemID)
        try await requireWrite(actor, "evidence.add", target: "system:\(systemID)", systemID: systemID)
        guard !type.isEmpty, type.count <= 100, type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw StewardError.invalidParameter("Evidence needs a type of letters, digits, '_' or '-' (such as evaluation or bias_test).")
        }
        try Self.requireEvidenceType(type, of: try await policy().policy)
        guard !reference.isEmpty else { throw StewardError.invalidParameter("Evidence needs a reference: where the proof can be found.") }
        guard digest.isEmpty || SHA256Digest.isValid(digest) else {
            throw StewardError.invalidParameter("digest must be a SHA-256 in hex (64 characters, optionally prefixed 'sha256:').")
        }
        var versionNumber: Int64?
        if model?.nonEmptyValue == nil, version?.nonEmptyValue != nil {
            throw StewardError.invalidParameter("Evidence for a version must name its model too.")
        }
        if let model = model?.nonEmptyValue {
            guard system.components.contains(where: { $0.name == model }) else {
                throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
            }
            guard let version = version?.nonEmptyValue else { throw StewardError.invalidParameter("Evidence for a model must name its version.") }
            versionNumber = try ModelRegistryService.versionNumber(version)
            _ = try await registry.modelVersion(name: model, version: versionNumber!)
        }
        let evidence = Evidence(
            id: Self.identifier("ev"), systemID: systemID, type: type, reference: reference, digest: digest, model: model?.nonEmptyValue,
            version: versionNumber, author: actor.name, createdAt: now())
        var details = ["type": type, "reference": reference, "digest": digest]
        if let model = evidence.model, let number = versionNumber { details["model_version"] = "\(model)/\(number)" }
        try await repository.addEvidence(
            evidence,
            audit: AuditEntry(actor: actor, action: "evidence.add", target: "evidence:\(evidence.id)", systemID: systemID, details: details))
        return evidence
    }

    /// What Steward observes itself, so that evidence of it is refused with where the fact comes from instead.
    static let observedFacts = [
        "evaluation": "Steward records evaluations itself (POST /api/v1/evaluations, or steward evaluate --server); the gate controls read them.",
        "monitoring":
            "monitoring is observed: a reference profile (PUT /api/v1/systems/{id}/reference) and alert rules (PUT /api/v1/systems/{id}/alerts/rules).",
        "retraining_trigger": "a retraining trigger is observed: a retraining_webhook in the system's alert rules.",
    ]

    /// Refuses an evidence type no control of the policy reads: it would satisfy nothing, silently.
    static func requireEvidenceType(_ type: String, of policy: GovernancePolicy) throws(StewardError) {
        let known = policy.evidenceTypes
        guard !known.contains(type) else { return }
        var message = "Unknown evidence type '\(type)'"
        if let observed = observedFacts[type] {
            message += ": \(observed)"
        } else if let close = known.map({ ($0, EditDistance.between($0, type)) }).filter({ $0.1 <= max(2, type.count / 3) }).min(by: { $0.1 < $1.1 })
        {
            message += ": did you mean '\(close.0)'?"
        } else {
            message += "."
        }
        throw .invalidParameter(message + " The policy's controls read evidence of type: " + known.sorted().joined(separator: ", ") + ".")
    }

    public func evidence(systemID: String) async throws -> [Evidence] {
        _ = try await repository.system(id: systemID)
        return try await repository.evidence(systemID: systemID)
    }
}
