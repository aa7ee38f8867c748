import Foundation

/// The traffic plane's decisions: which versions a system's traffic is split between, in what shares, and when a
/// challenger advances, graduates or is rolled back. A version receives traffic only as the policy allows for its
/// role (`GovernancePolicy.serving`); full traffic is promotion, so graduation and every alias change go through
/// the one promotion decision. Every change is audited.
public struct DeploymentService: Sendable {
    let repository: any DeploymentRepository
    let systems: any SystemRepository
    let registry: ModelRegistryService
    let versions: any ModelRegistryRepository
    let promotion: PromotionDecision
    let incidents: IncidentService
    let alerts: any AlertRepository
    let notifications: Bool
    let audit: any AuditRepository
    let allowList: EndpointAllowList
    let now: @Sendable () -> Int64
    let liveCache = LiveDeploymentCache()

    /// Who takes the analysis's automatic decisions in the audit trail. Its promotions still need every control.
    public static let analyst = Principal.user("steward-deployments", role: .admin)

    public init(
        repository: any DeploymentRepository, systems: any SystemRepository, registry: ModelRegistryService, versions: any ModelRegistryRepository,
        promotion: PromotionDecision, incidents: IncidentService, alerts: any AlertRepository, notifications: Bool, audit: any AuditRepository,
        allowList: EndpointAllowList, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.systems = systems
        self.registry = registry
        self.versions = versions
        self.promotion = promotion
        self.incidents = incidents
        self.alerts = alerts
        self.notifications = notifications
        self.audit = audit
        self.allowList = allowList
        self.now = now
    }

    // MARK: Reading

    public func deployment(id: String) async throws -> Deployment {
        try await repository.deployment(id: id)
    }

    public func deployments(systemID: String) async throws -> [Deployment] {
        _ = try await systems.system(id: systemID)
        return try await repository.deployments(systemID: systemID)
    }

    /// The deployment serving a system (by id or name), or nil. Asked on every served request, so it reads
    /// as little as it can while a change on any replica still applies from the next request on: while the
    /// store's change stamp is the one the last answer was read under, that answer stands (no read at all);
    /// otherwise the store is asked which deployment and revision are live, and a deployment is decoded once
    /// per revision (decoding it on every request was a third of the router's time at 2,300 requests/s, and the
    /// read itself a third of the rest, `bench/router.py`).
    public func live(system: String) async throws -> Deployment? {
        let stamp = repository.changeStamp()
        if let stamp, let known = liveCache.live(system: system, stamp: stamp) { return known }
        let live = try await repository.liveRevision(system: system)
        let deployment: Deployment?
        if let (id, revision) = live {
            if let cached = liveCache.deployment(id: id, revision: revision) {
                deployment = cached
            } else {
                let read = try await repository.deployment(id: id)
                liveCache.store(read)
                deployment = read
            }
        } else {
            deployment = nil
        }
        if let stamp {
            // What was read is remembered under its own revision: a deployment read after a newer commit than
            // `live` named is not taken for it.
            liveCache.remember(system: system, live: deployment.map { ($0.id, $0.revision) }, stamp: stamp)
        }
        return deployment
    }

    /// The deployment serving `system` when the store can vouch from memory that it is still the live one (the
    /// change stamp it was read under is current): `.some(nil)` when none serves, nil when only the store can say
    /// (`live`). For the serving fast path, which cannot wait; stores without a stamp (PostgreSQL) always say nil.
    public func knownLive(system: String) -> Deployment?? {
        guard let stamp = repository.changeStamp() else { return nil }
        return liveCache.live(system: system, stamp: stamp)
    }

    /// The deployment with its arms measured and the decision the analysis would take now.
    public func report(id: String) async throws -> (deployment: Deployment, analysis: DeploymentAnalysis) {
        let deployment = try await repository.deployment(id: id)
        return (deployment, try await analyse(deployment))
    }

    /// The sequential test's p-value each time the analysis stored one, oldest first: how the evidence grew.
    public func pValues(id: String) async throws -> [(time: Int64, pValue: Double, challengerWeight: Double)] {
        try await repository.pValues(deployment: id)
    }

    func analyse(_ deployment: Deployment) async throws -> DeploymentAnalysis {
        DeploymentAnalysis(
            deployment: deployment, observations: try await repository.observations(deployment: deployment), previousPValue: deployment.pValue)
    }

    // MARK: Creating

    /// Checks and stores a new deployment of the system, which replaces its live one. Bad shapes are 400s, arms
    /// the governance refuses (a model not linked to the system, a host not allowed, a version lacking a control
    /// its role needs) one 403 that lists every reason; nothing is written unless all pass.
    public func create(systemID: String, _ draft: DeploymentDraft, actor: Principal) async throws -> Deployment {
        let system = try await systems.system(id: systemID)
        try await audit.requireContributor(actor, "deployment.create", target: "system:\(systemID)", systemID: systemID, now: now())
        let mode = try Deployment.Mode(parsing: draft.mode)
        let analysis = try (draft.analysis ?? DeploymentDraft.Analysis()).rules()
        try Self.checkShape(mode: mode, draft.arms)
        if let field = draft.unitField {
            guard !field.isEmpty, field.count <= 200 else {
                throw StewardError.invalidParameter("unit_field must be a field name of 1 to 200 characters.")
            }
        }
        var arms: [Deployment.Arm] = []
        var refusals: [String] = []
        for (index, armDraft) in draft.arms.enumerated() {
            let number = try ModelRegistryService.versionNumber(armDraft.version)
            let name = armDraft.name ?? Self.armName(mode: mode, index: index)
            guard Self.isValidArmName(name) else {
                throw StewardError.invalidParameter("Arm name '\(name)' must be 1 to 64 letters, digits, '-' or '_'.")
            }
            if !system.components.contains(where: { $0.name == armDraft.model }) {
                if let owner = try await systems.system(owning: armDraft.model) {
                    throw StewardError.invalidParameter(
                        "Model '\(armDraft.model)' belongs to system '\(owner.name)' (\(owner.id)), not to '\(system.name)'; a deployment serves its own system's models."
                    )
                }
                refusals.append(
                    "arm \(name): model '\(armDraft.model)' is not linked to system '\(system.name)' (link it: steward systems link \(system.id) --model \(armDraft.model))"
                )
            }
            var endpoint = armDraft.endpoint
            switch Result(catching: { () throws(StewardError) in try allowList.check(armDraft.endpoint) }) {
            case .success(let url): endpoint = url.absoluteString
            case .failure(let error) where error.code == .permissionDenied: refusals.append("arm \(name): \(error.message)")
            case .failure(let error): throw error
            }
            arms.append(Deployment.Arm(name: name, model: armDraft.model, version: number, endpoint: endpoint, weight: armDraft.weight))
        }
        guard Set(arms.map(\.name)).count == arms.count else { throw StewardError.invalidParameter("Each arm needs its own name.") }
        let time = now()
        let deployment = Deployment(
            id: RecordID.make("dep"), systemID: system.id, mode: mode, arms: arms, salt: RecordID.make("salt"), unitField: draft.unitField,
            analysis: analysis, state: .active, stepStartedAt: time, reason: "Created: \(Self.describe(arms)).", createdBy: actor.name,
            createdAt: time, updatedAt: time, revision: 1)
        _ = try deployment.split()
        if refusals.isEmpty {
            refusals = try await servingRefusals(deployment, system: system)
        }
        guard refusals.isEmpty else {
            try await promotion.refuse(
                AuditEntry(
                    actor: actor, action: "deployment.create", target: "system:\(system.id)", systemID: system.id,
                    details: ["refused": refusals.joined(separator: "; ")]),
                StewardError(
                    .permissionDenied,
                    "Deployment refused: system '\(system.name)' is \(system.riskTier.rawValue) risk and \(refusals.count) arm"
                        + " condition\(refusals.count == 1 ? " is" : "s are") not met: \(refusals.joined(separator: "; "))."))
        }
        try await repository.createDeployment(deployment, audit: entry(actor, "deployment.create", deployment))
        return deployment
    }

    static func isValidArmName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    static func armName(mode: Deployment.Mode, index: Int) -> String {
        switch mode {
        case .single: "primary"
        case .canary, .shadow: index == 0 ? "champion" : (index == 1 ? "challenger" : "challenger-\(index)")
        case .ab: String(UnicodeScalar(UInt8(97 + min(index, 25))))
        }
    }

    static func checkShape(mode: Deployment.Mode, _ arms: [DeploymentDraft.Arm]) throws(StewardError) {
        switch mode {
        case .single where arms.count != 1: throw .invalidParameter("A single deployment has exactly one arm, got \(arms.count).")
        case .canary where arms.count != 2:
            throw .invalidParameter("A canary has two arms, the champion first and the challenger second; got \(arms.count).")
        case .ab where arms.count < 2, .shadow where arms.count < 2:
            throw .invalidParameter("An \(mode.rawValue) deployment has at least two arms; got \(arms.count).")
        default: break
        }
        guard arms.count <= 10 else { throw .invalidParameter("A deployment has at most 10 arms.") }
        var seen: Set<String> = []
        for arm in arms {
            // By number: "1", "01" and "+1" are one version.
            let number = (try? ModelRegistryService.versionNumber(arm.version)).map(String.init) ?? arm.version
            let key = "\(arm.model)\u{0}\(number)"
            guard seen.insert(key).inserted else {
                throw .invalidParameter("Model '\(arm.model)' version \(arm.version) appears in two arms; each arm serves a different version.")
            }
        }
        if mode == .shadow, arms.first?.weight != 100 || arms.dropFirst().contains(where: { $0.weight != 0 }) {
            throw .invalidParameter(
                "In shadow mode the champion (the first arm) has weight 100 and each shadow arm 0: shadow arms get a copy of every request.")
        }
    }

    /// Every reason the policy refuses an arm in its role: an arm at 100% is full traffic, which only a version
    /// holding a protected alias has (it was promoted); any other arm with traffic is a canary's challenger, an A/B
    /// challenger or a shadow, and needs the controls the policy's `serving` list names for that role and its tier.
    func servingRefusals(_ deployment: Deployment, system: AISystem) async throws -> [String] {
        var refusals: [String] = []
        for (index, arm) in deployment.arms.enumerated() {
            let version = try await versions.modelVersion(name: arm.model, version: arm.version)
            let role: GovernancePolicy.ServingRole =
                deployment.mode == .shadow && index > 0 ? .shadow : deployment.mode == .canary ? .canary : .challenger
            let missing = try await promotion.trafficRefusals(
                system: system, version: version, weight: arm.weight, role: role,
                promote: "promote it (steward systems promote \(system.id) --model \(arm.model) --version \(arm.version)) or let a canary graduate it"
            )
            let named = role != .shadow && arm.weight >= 100 ? nil : role.rawValue
            refusals += missing.map { "arm \(arm.name)\(named.map { " (\(arm.model) version \(arm.version)) as \($0)" } ?? ""): \($0)" }
        }
        return refusals
    }

    // MARK: Changing

    /// Sets every arm's weight (in the arms' order). An arm brought to 100% must hold a protected alias: that
    /// is promotion, which `promote` does through the promotion decision.
    public func setWeights(id: String, weights: [Double], actor: Principal) async throws -> Deployment {
        var deployment = try await repository.deployment(id: id)
        try await audit.requireContributor(actor, "deployment.weights", target: "deployment:\(id)", systemID: deployment.systemID, now: now())
        guard deployment.state != .ended else { throw StewardError(.resourceConflict, "Deployment \(id) was replaced; change the live one.") }
        guard deployment.state == .active else {
            // Its rollout was decided; weights set now would bring a challenger back with no analysis watching it.
            throw StewardError(
                .resourceConflict,
                "Deployment \(id) is \(deployment.state.rawValue): its rollout was decided. Create a new deployment to try a challenger again.")
        }
        guard deployment.mode != .shadow else {
            throw StewardError.invalidParameter("A shadow deployment has no weights to change: the champion answers every request.")
        }
        guard weights.count == deployment.arms.count else {
            throw StewardError.invalidParameter("Give one weight per arm (\(deployment.arms.count)), in the arms' order.")
        }
        for index in deployment.arms.indices { deployment.arms[index].weight = weights[index] }
        _ = try deployment.split()
        let refusals = try await servingRefusals(deployment, system: try await systems.system(id: deployment.systemID))
        guard refusals.isEmpty else {
            var refused = entry(actor, "deployment.weights", deployment)
            refused.details["refused"] = refusals.joined(separator: "; ")
            try await promotion.refuse(refused, StewardError(.permissionDenied, "Weights refused: \(refusals.joined(separator: "; "))."))
        }
        deployment.reason = "Weights set by \(actor.name): \(Self.describe(deployment.arms))."
        return try await save(&deployment, actor: actor, action: "deployment.weights")
    }

    /// Graduates the challenger (or the named arm): it is promoted to the protected alias the champion holds
    /// (else the policy's first), through the promotion decision, and then takes every request. A refused
    /// promotion changes nothing and says which control is missing.
    public func promote(id: String, arm armName: String? = nil, actor: Principal) async throws -> Deployment {
        var deployment = try await repository.deployment(id: id)
        try await audit.requireContributor(actor, "deployment.promote", target: "deployment:\(id)", systemID: deployment.systemID, now: now())
        guard deployment.state == .active || deployment.state == .rolledBack else {
            throw StewardError(.resourceConflict, "Deployment \(id) is \(deployment.state.rawValue); there is nothing to promote.")
        }
        let index = try armIndex(deployment, armName ?? (deployment.arms.count > 1 ? deployment.arms[1].name : deployment.arms[0].name))
        let winner = deployment.arms[index]
        let alias = try await championAlias(deployment)
        try await registry.setAlias(name: winner.model, alias: alias, version: String(winner.version), actor: actor)
        for position in deployment.arms.indices { deployment.arms[position].weight = position == index ? 100 : 0 }
        if deployment.mode == .shadow {
            deployment.mode = .single
            deployment.arms = [deployment.arms[index]]
        }
        deployment.state = .graduated
        deployment.reason = "Arm \(winner.name) (\(winner.model) version \(winner.version)) graduated to alias '\(alias)' and takes every request."
        return try await save(&deployment, actor: actor, action: "deployment.graduate")
    }

    /// Takes the challengers out: the champion takes every request again; if a challenger took every request (a
    /// graduation undone), the protected alias it holds goes back to the champion through the promotion decision. An incident is opened on the system and the challenger's version with the playbook's
    /// `roll_back` done and `notify_owner` sent to the system's webhooks. The incident names `arm`'s version (the
    /// arm whose breach or loss caused it), else the winner's, else that of the arm taking every request, else
    /// the only challenger's; with several challengers and none of these the caller must name the arm.
    public func rollBack(id: String, reason: String, actor: Principal, arm armName: String? = nil) async throws -> Deployment {
        var deployment = try await repository.deployment(id: id)
        try await audit.requireContributor(actor, "deployment.rollback", target: "deployment:\(id)", systemID: deployment.systemID, now: now())
        guard deployment.arms.count > 1, deployment.state != .ended else {
            throw StewardError(.resourceConflict, "Deployment \(id) has no challenger to roll back.")
        }
        let champion = deployment.arms[0]
        // The arm named, else the one that won (a graduation undone), else the one taking the traffic, else the only
        // challenger.
        let named = armName ?? deployment.wonArm ?? deployment.arms.dropFirst().first { $0.weight >= 100 }?.name
        guard named != nil || deployment.arms.count == 2 else {
            let names = deployment.arms.dropFirst().map(\.name).joined(separator: ", ")
            throw StewardError.invalidParameter(
                "Deployment \(id) has several challengers (\(names)) and none won or takes every request: name the arm the incident is about ('arm')."
            )
        }
        let position = try named.map { try armIndex(deployment, $0) } ?? 1
        guard position > 0 else {
            throw StewardError.invalidParameter("Arm '\(champion.name)' is the champion, which a rollback keeps; name a challenger.")
        }
        let challenger = deployment.arms[position]
        // A challenger that takes every request holds a protected alias (full traffic is promotion): the one it holds
        // goes back to the champion.
        var restoring: String?
        if let taking = deployment.arms.dropFirst().first(where: { $0.weight >= 100 }) {
            restoring = try await promotion.protectedAlias(
                heldIn: try await versions.modelVersion(name: taking.model, version: taking.version).aliases
            )
            .held
        }
        for position in deployment.arms.indices { deployment.arms[position].weight = position == 0 ? 100 : 0 }
        deployment.state = .rolledBack
        deployment.reason = "Rolled back: \(reason)"
        // A rolled-back challenger did not win its rollout, whatever the analysis thought before.
        deployment.wonArm = nil
        // The deployment's change, the incident with its playbook steps, their audit entries and the owner's
        // notifications are one transaction: a rollback is never half recorded.
        let incidentID = RecordID.make("inc")
        let notices = try await ownerNotices(deployment, incidentID: incidentID, reason: reason)
        var steps: [(step: Incident.Step, note: String?)] = [(.rollBack, nil)]
        if !notices.isEmpty { steps.append((.notifyOwner, "Sent to \(notices.count) webhook\(notices.count == 1 ? "" : "s").")) }
        let (incident, opening) = try await incidents.draft(
            systemID: deployment.systemID, title: "Deployment \(deployment.id) rolled back", severity: "high",
            description: "\(reason) The champion (\(champion.model) version \(champion.version)) takes every request again.",
            model: challenger.model, version: String(challenger.version), actor: actor, id: incidentID, steps: steps)
        let rolledBack = try await save(
            &deployment, actor: actor, action: "deployment.rollback", notifications: notices, opening: (incident, opening))
        // Traffic is back on the champion from here on; the alias follows through the promotion decision, its own
        // audited write (a refusal answers the caller, with the rollback and its incident already recorded).
        if let restoring {
            try await registry.setAlias(name: champion.model, alias: restoring, version: String(champion.version), actor: actor)
        }
        return rolledBack
    }

    /// Runs the analysis and takes its decision: advances a step, graduates (through the promotion decision;
    /// a refusal holds the step and says why), rolls back, or records why it holds. The server's schedule calls
    /// it for every deciding deployment; `POST /api/v1/deployments/{id}/analysis` on demand.
    public func decide(id: String, actor: Principal = DeploymentService.analyst) async throws -> (
        deployment: Deployment, analysis: DeploymentAnalysis
    ) {
        let stored = try await repository.deployment(id: id)
        var deployment = stored
        let analysis = try await analyse(deployment)
        guard deployment.state == .active else { return (deployment, analysis) }
        switch analysis.action {
        case .rollBack:
            return (try await rollBack(id: id, reason: analysis.reason, actor: actor, arm: deployment.arms[analysis.subject].name), analysis)
        case .graduate:
            // The win is recorded first: it is the fact the promotion's `rollout` control reads, and it stays
            // even if the promotion is refused for another control.
            let winner = deployment.arms[analysis.subject].name
            if deployment.wonArm == nil {
                deployment.wonArm = winner
                deployment.reason = "Arm \(winner) won the staged rollout: \(analysis.reason)"
                deployment.pValue = analysis.pValue
                _ = try await save(&deployment, actor: actor, action: "deployment.rollout_won", restartingStep: false)
            }
            let wonArm = try armIndex(deployment, deployment.wonArm ?? winner)
            if deployment.reason.hasPrefix(Self.graduationRefused),
                try await !controlsMet(deployment.arms[wonArm], target: .alias(try await championAlias(deployment)), systemID: deployment.systemID)
            {
                // Refused before and still missing a control: asked again only once the controls are met (each
                // refused promotion is an audit entry, and the schedule decides every half minute).
                break
            }
            do {
                return (try await promote(id: id, arm: deployment.arms[wonArm].name, actor: actor), analysis)
            } catch let error as StewardError where error.code == .permissionDenied {
                deployment.reason = "\(Self.graduationRefused)\(error.message)"
            }
        case .advance:
            if let next = analysis.nextWeight {
                var advanced = deployment
                advanced.arms[0].weight = 100 - next
                advanced.arms[1].weight = next
                // The next step is more traffic: the policy may refuse it now (the system's tier raised, a gate lost).
                let refusals = try await servingRefusals(advanced, system: try await systems.system(id: deployment.systemID))
                if refusals.isEmpty {
                    deployment = advanced
                    deployment.reason = analysis.reason
                    deployment.pValue = analysis.pValue
                    return (try await save(&deployment, actor: actor, action: "deployment.advance"), analysis)
                }
                deployment.reason = "The step holds: the policy refuses the next one: \(refusals.joined(separator: "; "))."
            }
        case .hold:
            deployment.reason = analysis.reason
        }
        let changed = stored.pValue != analysis.pValue || stored.reason != deployment.reason
        deployment.pValue = analysis.pValue
        if changed { _ = try await save(&deployment, actor: actor, action: nil, restartingStep: false) }
        return (deployment, analysis)
    }

    /// The deployments the schedule decides: active canaries and A/B tests.
    public func deciding() async throws -> [Deployment] {
        try await repository.deciding()
    }

    // MARK: Parts

    /// Stores a change to `deployment` under its next revision: audited as `action` (nil for a decision that only
    /// records why it holds), a new step counted from now unless `restartingStep` is false.
    private func save(
        _ deployment: inout Deployment, actor: Principal, action: String?, restartingStep: Bool = true, notifications: [WebhookMessage] = [],
        opening incident: (Incident, AuditEntry)? = nil
    ) async throws -> Deployment {
        deployment.revision += 1
        deployment.updatedAt = now()
        if restartingStep { deployment.stepStartedAt = deployment.updatedAt }
        try await repository.updateDeployment(
            deployment, audit: action.map { entry(actor, $0, deployment) }, notifications: notifications, opening: incident)
        return deployment
    }

    private func entry(_ actor: Principal, _ action: String, _ deployment: Deployment) -> AuditEntry {
        AuditEntry(
            actor: actor, action: action, target: "deployment:\(deployment.id)", systemID: deployment.systemID,
            details: ["mode": deployment.mode.rawValue, "arms": Self.describe(deployment.arms), "state": deployment.state.rawValue])
    }

    private func armIndex(_ deployment: Deployment, _ name: String) throws -> Int {
        guard let index = deployment.arms.firstIndex(where: { $0.name == name }) else {
            throw StewardError.invalidParameter(
                "Deployment \(deployment.id) has no arm '\(name)'; its arms are \(deployment.arms.map(\.name).joined(separator: ", ")).")
        }
        return index
    }

    static let graduationRefused = "Graduation refused, the step holds: "

    /// Whether every control the policy requires for `arm`'s version at `target` is met (read only: nothing audited).
    private func controlsMet(_ arm: Deployment.Arm, target: PromotionTarget, systemID: String) async throws -> Bool {
        try await promotion.controls(systemID: systemID, model: arm.model, version: String(arm.version), target: target).controls.allSatisfy(
            \.satisfied)
    }

    /// The protected alias the champion's version holds, else the policy's first.
    private func championAlias(_ deployment: Deployment) async throws -> String {
        let champion = deployment.arms[0]
        let (held, protected) = try await promotion.protectedAlias(
            heldIn: try await versions.modelVersion(name: champion.model, version: champion.version).aliases)
        return held ?? protected[0]
    }

    /// The `notify_owner` messages for the system's webhooks (those its alert rules name), due at once. The rules
    /// are read against the hosts the server allows, as when they were set (read without them, rules that name a
    /// webhook are refused, and no owner was ever told).
    private func ownerNotices(_ deployment: Deployment, incidentID: String, reason: String) async throws -> [WebhookMessage] {
        guard notifications, let document = try await alerts.alertRules(systemID: deployment.systemID),
            let rules = try? AlertRules(yaml: document, allowedHosts: allowList), !rules.webhooks.isEmpty
        else { return [] }
        let time = now()
        let body = String(
            decoding: CanonicalJSON.encode(
                .object([
                    "event": .string("deployment.rolled_back"), "system_id": .string(deployment.systemID), "deployment_id": .string(deployment.id),
                    "incident_id": .string(incidentID), "reason": .string(reason), "time": .integer(time),
                ])), as: UTF8.self)
        return rules.webhooks.map { url in
            WebhookMessage(
                id: RecordID.make("whk"), systemID: deployment.systemID, url: url.absoluteString, event: "deployment.rolled_back", body: body,
                createdAt: time, attempts: 0, nextAttemptAt: time, claim: "")
        }
    }

    static func describe(_ arms: [Deployment.Arm]) -> String {
        arms.map { "\($0.name) \($0.model) v\($0.version) \(DeploymentAnalysis.percent($0.weight))" }.joined(separator: ", ")
    }
}
