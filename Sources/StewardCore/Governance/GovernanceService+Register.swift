/// The register's computed views: entries with maturity and controls, the portfolio, the documentation.
extension GovernanceService {
    /// Versions an alias pointed at before `current`, newest first.
    func earlierHolders(of alias: String, model: String, current: Int64) async throws -> [Int64] {
        let registered = try await registry.registeredModel(name: model)
        return RegistryEvent.earlierHolders(of: alias, current: current, in: try await registry.history(name: model), since: registered.creationTime)
    }

    /// One system with everything computed about it.
    public func entry(systemID: String) async throws -> RegisterEntry {
        try await entry(for: try await repository.system(id: systemID), policy: try await policy().policy)
    }

    /// Every system, as the portfolio lists them.
    public func portfolio() async throws -> [RegisterEntry] {
        let policy = try await policy().policy
        var entries: [RegisterEntry] = []
        for system in try await repository.systems() { entries.append(try await entry(for: system, policy: policy)) }
        return entries
    }

    /// What a system's technical documentation is written from: its register entry, the policy in force, its
    /// evidence, and the latest evaluation of each model version the register assesses.
    public func documentation(systemID: String) async throws -> SystemDocumentation {
        let policy = try await policy()
        let entry = try await entry(for: try await repository.system(id: systemID), policy: policy.policy)
        var evaluations: [Evaluation] = []
        for component in entry.controls {
            guard let version = component.version else { continue }
            if let latest = try await self.evaluations.evaluations(systemID: systemID, model: component.model, version: version).first {
                evaluations.append(latest)
            }
        }
        return SystemDocumentation(
            entry: entry, policy: policy, evidence: try await repository.evidence(systemID: systemID),
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

    func entry(for system: AISystem, policy: GovernancePolicy) async throws -> RegisterEntry {
        let evidence = try await repository.evidence(systemID: system.id)
        let monitoring = try await monitoringFacts(systemID: system.id)
        let evaluations = try await self.evaluations.evaluations(systemID: system.id, model: nil, version: nil)
        var facts = MaturityLevel.Facts(
            gateEvaluated: evaluations.contains { $0.gate != nil }, monitored: monitoring.isMonitored,
            retrainingTrigger: monitoring.retrainingWebhook, stagedRollout: evidence.contains { $0.type == "staged_rollout" })
        var controls: [RegisterEntry.ComponentControls] = []
        for component in system.components where component.kind == .model {
            let model = try await registry.registeredModel(name: component.name)
            let protectedAliases = model.aliases.filter { policy.isProtected(alias: $0.alias) }
            if !protectedAliases.isEmpty || model.latestVersions.contains(where: { $0.currentStage == .production }) {
                facts.promotedToProtectedAlias = true
            }
            for alias in protectedAliases where !(try await earlierHolders(of: alias.alias, model: model.name, current: alias.version).isEmpty) {
                facts.rollbackPath = true
            }
            let latest = try await registry.latestVersionNumber(name: model.name)
            guard let served = protectedAliases.first?.version ?? latest else {
                let none = policy.controls(for: system.riskTier).map {
                    ControlEvaluation(name: $0.name, satisfied: false, detail: "the model has no version", basis: .evidence)
                }
                controls.append(.init(model: model.name, version: nil, targets: [.init(target: policy.protectedAliases[0], evaluations: none)]))
                continue
            }
            let version = try await registry.modelVersion(name: model.name, version: served)
            let newest = served == latest ? version : try await registry.modelVersion(name: model.name, version: latest ?? served)
            if !newest.runID.isEmpty { facts.registeredVersionsFromTrackedRuns = true }
            var common = try await targetIndependentFacts(system: system, version: version)
            let authors = try await authors(of: version)
            var targets = Self.protectedTargets(policy)
            if let held = protectedAliases.first?.alias, let index = targets.firstIndex(of: .alias(held)) {
                targets.insert(targets.remove(at: index), at: 0)
            }
            var perTarget: [RegisterEntry.TargetControls] = []
            for target in targets {
                common.approvals = try await approvals(of: version, system: system, for: target, policy: policy, authors: authors)
                perTarget.append(.init(target: target.name, evaluations: ControlEvaluation.evaluate(policy, common)))
            }
            controls.append(.init(model: model.name, version: served, targets: perTarget))
        }
        return RegisterEntry(
            system: system, maturity: MaturityLevel(facts), controls: controls, lastEvaluation: evaluations.first, monitoring: monitoring,
            incidents: try await repository.incidents(systemID: system.id))
    }
}
