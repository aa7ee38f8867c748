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

    func entry(for system: AISystem, policy: GovernancePolicy) async throws -> RegisterEntry {
        let evidence = try await repository.evidence(systemID: system.id)
        var facts = MaturityLevel.Facts()
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
            if let latest, !(try await registry.modelVersion(name: model.name, version: latest).runID.isEmpty) {
                facts.registeredVersionsFromTrackedRuns = true
            }
            let served = protectedAliases.first?.version ?? latest
            if let served {
                let target = PromotionTarget.alias(protectedAliases.first?.alias ?? policy.protectedAliases[0])
                let promotion = try await self.facts(system: system, model: model.name, version: served, target: target, policy: policy)
                controls.append(.init(model: model.name, version: served, evaluations: ControlEvaluation.evaluate(policy, promotion)))
            } else {
                controls.append(
                    .init(
                        model: model.name, version: nil,
                        evaluations: policy.controls(for: system.riskTier).map {
                            ControlEvaluation(name: $0.name, satisfied: false, detail: "the model has no version")
                        }))
            }
        }
        let types = Set(evidence.map(\.type))
        facts.evaluationEvidence = types.contains("evaluation")
        facts.monitoringEvidence = types.contains("monitoring")
        facts.retrainingTrigger = types.contains("retraining_trigger")
        facts.stagedRollout = types.contains("staged_rollout")
        return RegisterEntry(
            system: system, maturity: MaturityLevel(facts), controls: controls, lastEvaluation: evidence.last { $0.type == "evaluation" },
            incidents: try await repository.incidents(systemID: system.id))
    }
}
