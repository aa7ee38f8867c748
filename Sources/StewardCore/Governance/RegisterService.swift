import Foundation

/// The AI Register: every AI system with its profile, risk tier (suggested by the questionnaire, overridden only
/// by compliance) and linked models and prompts, and the register's views computed from what the server observed:
/// each entry's maturity, controls per protected target, last evaluation, monitoring and incidents; the portfolio;
/// the technical documentation. Every change is audited.
public struct RegisterService: Sendable {
    let systems: any SystemRepository
    let policies: PolicyService
    let facts: DecisionFacts
    let approvals: any ApprovalRepository
    let registry: any ModelRegistryRepository
    let evaluations: any EvaluationRepository
    let overviews: any SystemOverviewRepository
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(
        systems: any SystemRepository, policies: PolicyService, facts: DecisionFacts, approvals: any ApprovalRepository,
        registry: any ModelRegistryRepository, evaluations: any EvaluationRepository, overviews: any SystemOverviewRepository,
        audit: any AuditRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.systems = systems
        self.policies = policies
        self.facts = facts
        self.approvals = approvals
        self.registry = registry
        self.evaluations = evaluations
        self.overviews = overviews
        self.audit = audit
        self.now = now
    }

    func require(_ actor: Principal, _ roles: Set<Role>, to verb: String, _ entry: AuditEntry) async throws {
        try await audit.require(actor, roles, to: verb, entry, now: now())
    }

    /// Suggests a tier from questionnaire answers.
    public static func classify(_ questionnaire: RiskQuestionnaire) -> (tier: RiskTier, reasons: [String]) {
        questionnaire.suggestedTier()
    }

    /// Registers a system; its tier is the questionnaire's suggestion until compliance overrides it.
    public func createSystem(_ draft: SystemDraft, actor: Principal) async throws -> AISystem {
        guard let name = draft.name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 200 else {
            throw StewardError.invalidParameter("A system needs a name of 1 to 200 characters.")
        }
        try await audit.requireContributor(actor, "system.create", target: "system:\(name)", systemID: nil, now: now())
        var profile = SystemProfile()
        try draft.apply(to: &profile)
        let status = try draft.status.map(Self.status) ?? .proposed
        let questionnaire = draft.questionnaire ?? RiskQuestionnaire()
        let (tier, reasons) = questionnaire.suggestedTier()
        let time = now()
        let system = AISystem(
            id: RecordID.make("sys"), name: name, status: status, profile: profile, questionnaire: questionnaire, riskTier: tier,
            tierRationale: reasons.joined(separator: "; "), tierSource: .questionnaire,
            components: try Self.components(models: draft.models ?? [], prompts: draft.prompts ?? []),
            createdAt: time, updatedAt: time, createdBy: actor.name)
        try await systems.createSystem(
            system,
            audit: AuditEntry(
                actor: actor, action: "system.create", target: "system:\(system.id)", systemID: system.id,
                details: ["name": name, "risk_tier": tier.rawValue, "components": system.components.map(\.name).joined(separator: ",")]))
        return system
    }

    /// Changes a system's descriptive fields or status. New questionnaire answers re-suggest its tier unless
    /// compliance has overridden it; answers that would lower the tier need compliance or an admin.
    public func updateSystem(id: String, _ draft: SystemDraft, actor: Principal) async throws -> AISystem {
        let stored = try await systems.system(id: id)
        var system = stored
        try await audit.requireContributor(actor, "system.update", target: "system:\(id)", systemID: id, now: now())
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
                        actor, GovernanceRoles.governors, to: "lower a system's risk tier",
                        AuditEntry(actor: actor, action: "system.update", target: "system:\(id)", systemID: id, details: details))
                }
                system.riskTier = tier
                system.tierRationale = reasons.joined(separator: "; ")
            }
        }
        system.updatedAt = max(now(), stored.updatedAt + 1)
        try await systems.updateSystem(
            system, expectedUpdatedAt: stored.updatedAt,
            audit: AuditEntry(actor: actor, action: "system.update", target: "system:\(id)", systemID: id, details: details))
        return system
    }

    /// Sets a system's tier against the questionnaire's suggestion: compliance or admin only, with a rationale.
    public func overrideTier(systemID: String, tier: RiskTier, rationale: String, actor: Principal) async throws -> AISystem {
        var system = try await systems.system(id: systemID)
        let entry = AuditEntry(
            actor: actor, action: "system.tier_override", target: "system:\(systemID)", systemID: systemID,
            details: ["from": system.riskTier.rawValue, "to": tier.rawValue, "rationale": rationale])
        try await require(actor, GovernanceRoles.governors, to: "override a risk tier", entry)
        guard !rationale.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StewardError.invalidParameter("A tier override needs a rationale.")
        }
        let previous = system.updatedAt
        system.riskTier = tier
        system.tierRationale = rationale
        system.tierSource = .override
        system.updatedAt = max(now(), previous + 1)
        try await systems.updateSystem(system, expectedUpdatedAt: previous, audit: entry)
        return system
    }

    public func system(id: String) async throws -> AISystem {
        try await systems.system(id: id)
    }

    public func systems() async throws -> [AISystem] {
        try await systems.systems()
    }

    /// Adds a registered model or prompt to a system.
    public func link(systemID: String, name: String, kind: SystemComponent.Kind, actor: Principal) async throws -> AISystem {
        _ = try await systems.system(id: systemID)
        try await audit.requireContributor(actor, "system.link", target: "system:\(systemID)", systemID: systemID, now: now())
        _ = try await registry.registeredModel(name: name)
        try await systems.link(
            SystemComponent(name: name, kind: kind), to: systemID, now: now(),
            audit: AuditEntry(
                actor: actor, action: "system.link", target: "system:\(systemID)", systemID: systemID,
                details: ["model": name, "kind": kind.rawValue]))
        return try await systems.system(id: systemID)
    }

    /// Removes a model from a system: compliance or admin only, since a model out of its system could be linked
    /// to a lower-tier one.
    public func unlink(systemID: String, name: String, actor: Principal) async throws -> AISystem {
        _ = try await systems.system(id: systemID)
        try await require(
            actor, GovernanceRoles.governors, to: "unlink a model from its system",
            AuditEntry(actor: actor, action: "system.unlink", target: "system:\(systemID)", systemID: systemID, details: ["model": name]))
        try await systems.unlink(
            name, from: systemID, now: now(),
            audit: AuditEntry(actor: actor, action: "system.unlink", target: "system:\(systemID)", systemID: systemID, details: ["model": name]))
        return try await systems.system(id: systemID)
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

    // MARK: Views

    /// Versions an alias pointed at before `current`, newest first; `events` is the model's registry history when
    /// the caller already read it.
    func earlierHolders(of alias: String, model: RegisteredModel, current: Int64, events: [RegistryEvent]? = nil) async throws -> [Int64] {
        let history: [RegistryEvent]
        if let events { history = events } else { history = try await registry.history(name: model.name) }
        return RegistryEvent.earlierHolders(of: alias, current: current, in: history, since: model.creationTime)
    }

    /// One system with everything computed about it.
    public func entry(systemID: String) async throws -> RegisterEntry {
        try await entry(of: try await systems.system(id: systemID), policy: try await policies.policy().policy)
    }

    /// One system's entry; `systemNotFound` if it was deleted after it was read.
    func entry(of system: AISystem, policy: GovernancePolicy) async throws -> RegisterEntry {
        guard let entry = try await entries(of: [system], policy: policy).first else { throw GovernanceErrors.systemNotFound(system.id) }
        return entry
    }

    /// The given systems as the register shows them, under the policy in force: a page of a long register
    /// without computing the rest.
    public func entries(of systems: [AISystem]) async throws -> [RegisterEntry] {
        try await entries(of: systems, policy: try await policies.policy().policy)
    }

    /// The systems' overviews are read for all of them at once, a few hundred at a time. What their models need
    /// is read system by system, a few systems at once, since each model is a dozen small reads that mostly wait
    /// for the database: a page of 100 systems, 20 of them with a model, took 262 ms when every system was read
    /// alone and one after another (`bench/ui.py`).
    func entries(of systems: [AISystem], policy: GovernancePolicy) async throws -> [RegisterEntry] {
        var overviews: [String: SystemOverview] = [:]
        for start in stride(from: 0, to: systems.count, by: Self.overviewsPerRead) {
            let ids = systems[start..<min(start + Self.overviewsPerRead, systems.count)].map(\.id)
            overviews.merge(try await self.overviews.overviews(systemIDs: ids)) { _, read in read }
        }
        return try await withThrowingTaskGroup(of: (Int, RegisterEntry).self) { group in
            var entries = [RegisterEntry?](repeating: nil, count: systems.count)
            var next = 0
            func start() {
                guard next < systems.count else { return }
                let index = next
                next += 1
                let system = systems[index]
                guard let overview = overviews[system.id] else {
                    // Deleted since the page was listed: it is not in the register any more.
                    start()
                    return
                }
                group.addTask { (index, try await self.entry(for: system, overview: overview, policy: policy)) }
            }
            for _ in 0..<Self.concurrentEntries { start() }
            while let (index, entry) = try await group.next() {
                entries[index] = entry
                start()
            }
            return entries.compactMap { $0 }
        }
    }

    /// How many register entries are worked out at once.
    static let concurrentEntries = 4
    /// How many systems' overviews one read asks for (each id is a bound parameter of its statements).
    static let overviewsPerRead = 500

    /// Every system, as the portfolio lists them.
    public func portfolio() async throws -> [RegisterEntry] {
        try await entries(of: try await systems.systems())
    }

    /// What a system's technical documentation is written from: its register entry, the policy in force, its
    /// evidence, and the latest evaluation of each model version the register assesses.
    public func documentation(systemID: String) async throws -> SystemDocumentation {
        let policy = try await policies.policy()
        let entry = try await entry(of: try await systems.system(id: systemID), policy: policy.policy)
        var evaluations: [Evaluation] = []
        for component in entry.controls {
            guard let version = component.version else { continue }
            if let latest = try await self.evaluations.evaluations(systemID: systemID, model: component.model, version: version).first {
                evaluations.append(latest)
            }
        }
        return SystemDocumentation(
            entry: entry, policy: policy, evidence: try await approvals.evidence(systemID: systemID),
            evaluations: evaluations.sorted { $0.createdAt > $1.createdAt })
    }

    /// Every target a promotion can aim at under `policy`: its protected aliases (one per spelling) and the
    /// Production stage unless a protected alias already stands for it (approvals for `production` cover both).
    static func protectedTargets(_ policy: GovernancePolicy) -> [PromotionTarget] {
        var seen: Set<String> = []
        var targets: [PromotionTarget] = policy.protectedAliases.compactMap { alias in
            seen.insert(AliasName.key(alias)).inserted ? .alias(alias) : nil
        }
        if !seen.contains(PromotionTarget.stage(.production).approvalKey) { targets.append(.stage(.production)) }
        return targets
    }

    /// `system`'s entry from its overview and what its models' reads add.
    func entry(for system: AISystem, overview: SystemOverview, policy: GovernancePolicy) async throws -> RegisterEntry {
        let monitoring = overview.monitoring
        // One read of the system's rollout history serves every model's staged_rollout and the maturity level.
        let history = try await facts.rolloutHistory(system: system, policy: policy, deployments: overview.deployments)
        var maturity = MaturityLevel.Facts(
            gateEvaluated: overview.gateEvaluated, monitored: monitoring.isMonitored,
            retrainingTrigger: monitoring.retrainingWebhook,
            stagedRollout: DecisionFacts.hasWonRollout(history, minimumUnits: policy.rolloutMinimumUnits))
        var controls: [RegisterEntry.ComponentControls] = []
        // Prompts are promoted through the same decision as models, so the register assesses them alike.
        for component in system.components {
            let model: RegisteredModel
            if let read = history.models[component.name] { model = read } else { model = try await registry.registeredModel(name: component.name) }
            let protectedAliases = model.aliases.filter { policy.isProtected(alias: $0.alias) }
            if !protectedAliases.isEmpty || model.latestVersions.contains(where: { $0.currentStage == .production }) {
                maturity.promotedToProtectedAlias = true
            }
            for alias in protectedAliases
            where !(try await earlierHolders(of: alias.alias, model: model, current: alias.version, events: history.events[model.name]).isEmpty) {
                maturity.rollbackPath = true
            }
            let latest = try await registry.latestVersionNumber(name: model.name)
            guard let served = protectedAliases.first?.version ?? latest else {
                let none = policy.controls(for: system.riskTier).map {
                    ControlEvaluation(name: $0.name, satisfied: false, detail: "the model has no version", basis: $0.check.basis)
                }
                controls.append(.init(model: model.name, version: nil, targets: [.init(target: policy.protectedAliases[0], evaluations: none)]))
                continue
            }
            let version = try await registry.modelVersion(name: model.name, version: served)
            let newest = served == latest ? version : try await registry.modelVersion(name: model.name, version: latest ?? served)
            if !newest.runID.isEmpty { maturity.registeredVersionsFromTrackedRuns = true }
            var common = try await facts.targetIndependent(
                system: system, version: version, policy: policy, history: history, overview: overview)
            let authors = try await facts.authors(of: version)
            let requests = try await approvals.approvalRequests(systemID: system.id, model: version.name, version: version.version)
            var targets = Self.protectedTargets(policy)
            if let held = protectedAliases.first?.alias, let index = targets.firstIndex(of: .alias(held)) {
                targets.insert(targets.remove(at: index), at: 0)
            }
            var perTarget: [RegisterEntry.TargetControls] = []
            for target in targets {
                common.approvals = facts.approvals(in: requests, for: target, policy: policy, authors: authors)
                common.target = target
                perTarget.append(.init(target: target.name, evaluations: ControlEvaluation.evaluate(policy, common)))
            }
            controls.append(.init(model: model.name, version: served, targets: perTarget))
        }
        return RegisterEntry(
            system: system, maturity: MaturityLevel(maturity), controls: controls, lastEvaluation: overview.lastEvaluation, monitoring: monitoring,
            incidents: overview.incidents, unlistedModelCalls: overview.unlistedModelCalls)
    }
}
