/// Reads the facts a governance decision rests on, for one system and model version, each once: the card, the
/// evidence, the latest evaluation, what monitoring is configured, and the approvals for a target. The promotion
/// decision and the register read them the same way.
public struct DecisionFacts: Sendable {
    let approvals: any ApprovalRepository
    let registry: any ModelRegistryRepository
    let runs: any RunRepository
    let evaluations: any EvaluationRepository
    let references: any ReferenceRepository
    let alerts: any AlertRepository
    let deployments: any DeploymentRepository
    let now: @Sendable () -> Int64

    public init(
        approvals: any ApprovalRepository, registry: any ModelRegistryRepository, runs: any RunRepository, evaluations: any EvaluationRepository,
        references: any ReferenceRepository, alerts: any AlertRepository, deployments: any DeploymentRepository,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.deployments = deployments
        self.approvals = approvals
        self.registry = registry
        self.runs = runs
        self.evaluations = evaluations
        self.references = references
        self.alerts = alerts
        self.now = now
    }

    /// Every fact the decision on `version` for `target` rests on.
    func facts(system: AISystem, version: ModelVersion, target: PromotionTarget, policy: GovernancePolicy) async throws -> PromotionFacts {
        var facts = try await targetIndependent(system: system, version: version, policy: policy)
        facts.target = target
        facts.approvals = try await approvals(of: version, system: system, for: target, policy: policy, authors: try await authors(of: version))
        return facts
    }

    /// Every fact but the approvals, which count for one target only; `history` is the system's rollout history
    /// and `overview` its monitoring and evidence, when the caller already read them.
    func targetIndependent(
        system: AISystem, version: ModelVersion, policy: GovernancePolicy, history: RolloutHistory? = nil, overview: SystemOverview? = nil
    ) async throws -> PromotionFacts {
        let notes = try await registry.cardNotes(name: version.name, version: version.version)
        let monitoring: MonitoringFacts
        let evidence: [Evidence]
        if let overview {
            (monitoring, evidence) = (overview.monitoring, overview.evidence)
        } else {
            (monitoring, evidence) = (try await self.monitoring(systemID: system.id), try await approvals.evidence(systemID: system.id))
        }
        return PromotionFacts(
            system: system, model: version.name, version: version.version,
            cardStatesIntendedUse: !(notes[ModelCard.Note.intendedUse.rawValue] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            evidence: evidence, approvals: [],
            evaluation: try await evaluations.evaluations(systemID: system.id, model: version.name, version: version.version).first,
            monitoring: monitoring, hasAuthor: !version.userID.isEmpty,
            rollout: try await rollout(of: version, system: system, policy: policy, history: history))
    }

    /// What the system's rollouts are judged against: every version of its models that holds or held a
    /// protected alias or the Production stage (the registry as it stands, and its history since each model was
    /// created), when each model was created, and the system's deployments. Read once per system: the register
    /// judges every model of a system against the same history.
    struct RolloutHistory: Sendable {
        struct Held: Hashable, Sendable {
            let model: String
            let version: Int64
        }
        var champions: Set<Held> = []
        var created: [String: Int64] = [:]
        var deployments: [Deployment] = []
        /// The system's registered models as read, by name, and each one's registry history.
        var models: [String: RegisteredModel] = [:]
        var events: [String: [RegistryEvent]] = [:]
    }

    /// Reads `system`'s rollout history; its deployments are `known` when the caller already read them.
    ///
    /// Champions are read for every model of the system: removing the champion's alias first, or linking the
    /// same weights under a new name, does not make a release "first".
    func rolloutHistory(system: AISystem, policy: GovernancePolicy, deployments known: [Deployment]? = nil) async throws -> RolloutHistory {
        var history = RolloutHistory()
        for component in system.components where component.kind == .model {
            let model = try await registry.registeredModel(name: component.name)
            history.models[model.name] = model
            history.created[model.name] = model.creationTime
            for alias in model.aliases where policy.isProtected(alias: alias.alias) {
                history.champions.insert(.init(model: model.name, version: alias.version))
            }
            for held in model.latestVersions where held.currentStage == .production {
                history.champions.insert(.init(model: model.name, version: held.version))
            }
            let events = try await registry.history(name: model.name)
            history.events[model.name] = events
            for event in events where event.time >= model.creationTime {
                guard let number = event.version else { continue }
                if (event.kind == .aliasSet && event.alias.map(policy.isProtected(alias:)) == true)
                    || (event.kind == .stageTransition && event.toStage == .production)
                {
                    history.champions.insert(.init(model: model.name, version: number))
                }
            }
        }
        if let known { history.deployments = known } else { history.deployments = try await deployments.deployments(systemID: system.id) }
        return history
    }

    /// The staged rollouts of the system that `version` won, and whether it would be the system's first release
    /// or was a champion before, judged against `history` (read now when not given). A win counts only from a
    /// canary or A/B test of this system that was staged against a champion, was not rolled back, and began
    /// after the model was (re-)created.
    func rollout(of version: ModelVersion, system: AISystem, policy: GovernancePolicy, history given: RolloutHistory? = nil) async throws
        -> RolloutFacts
    {
        let kind = system.components.first { $0.name == version.name }?.kind ?? .model
        guard kind == .model else {
            // Deployments serve models; a prompt's rollout cannot be staged through one (yet), so it is not asked.
            return RolloutFacts(stageable: false)
        }
        let history: RolloutHistory
        if let given { history = given } else { history = try await rolloutHistory(system: system, policy: policy) }
        let created = history.created[version.name] ?? .min
        let this = RolloutHistory.Held(model: version.name, version: version.version)
        let won = history.deployments.filter { deployment in
            guard deployment.createdAt >= created, let winner = deployment.rolloutWinner, let champion = deployment.arms.first else { return false }
            return winner.model == version.name && winner.version == version.version
                && history.champions.contains(.init(model: champion.model, version: champion.version))
        }
        return RolloutFacts(
            won: won.reversed().map { RolloutFacts.Win(deployment: $0.id, unitsPerStep: $0.analysis.minimumUnits) },
            firstRelease: history.champions.subtracting([this]).isEmpty, formerChampion: history.champions.contains(this))
    }

    /// Whether any canary or A/B test of the system was won by a challenger, its analysis asking at least
    /// `minimumUnits` units a step (the policy's rollout floor): the maturity level's A/B requirement.
    static func hasWonRollout(_ history: RolloutHistory, minimumUnits: Int) -> Bool {
        history.deployments.contains { $0.rolloutWinner != nil && $0.analysis.minimumUnits >= minimumUnits }
    }

    /// The still valid approving decisions on a version for `target`, by people other than its authors, each
    /// approver's latest decision counting.
    func approvals(
        of version: ModelVersion, system: AISystem, for target: PromotionTarget, policy: GovernancePolicy, authors: Set<String>
    ) async throws -> [ApprovalDecision] {
        approvals(
            in: try await approvals.approvalRequests(systemID: system.id, model: version.name, version: version.version), for: target, policy: policy,
            authors: authors)
    }

    /// The still valid approving decisions for `target` among `requests` (a version's approval requests), by people
    /// other than `authors`, each approver's latest decision counting.
    func approvals(in requests: [ApprovalRequest], for target: PromotionTarget, policy: GovernancePolicy, authors: Set<String>) -> [ApprovalDecision]
    {
        let oldest = now() - Int64(policy.approvalValidityDays) * 86_400_000
        var latest: [String: ApprovalDecision] = [:]
        for request in requests where AliasName.key(request.alias) == target.approvalKey {
            for decision in request.decisions where latest[decision.approver].map({ $0.decidedAt <= decision.decidedAt }) ?? true {
                latest[decision.approver] = decision
            }
        }
        return latest.values.filter { $0.verdict == .approve && $0.decidedAt >= oldest && !authors.contains($0.approver) }
            .sorted { $0.decidedAt < $1.decidedAt }
    }

    /// What Steward observes of a system's monitoring: its reference profile and alert rules.
    func monitoring(systemID: String) async throws -> MonitoringFacts {
        MonitoringFacts(
            alertRules: try await alerts.alertRules(systemID: systemID), reference: try await references.currentReferenceVersion(systemID: systemID))
    }

    /// Who may not approve a version: whoever registered it and the user of the run it came from. A run that
    /// cannot be read fails the check rather than passing it.
    func authors(of version: ModelVersion) async throws -> Set<String> {
        var names: Set<String> = [version.userID]
        if !version.runID.isEmpty { names.insert(try await runs.runInfo(id: version.runID).userID) }
        names.remove("")
        return names
    }
}
