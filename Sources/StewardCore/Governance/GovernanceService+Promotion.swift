/// Approvals and the promotion decision.
extension GovernanceService: PromotionGate {
    // MARK: Approvals

    /// Asks reviewers to approve a model version of a system for a protected alias (or the Production stage).
    public func requestApproval(systemID: String, model: String, version: String, alias: String, actor: Principal) async throws -> ApprovalRequest {
        try await requireComponent(systemID: systemID, model: model, actor: actor, action: "approval.request")
        let number = try ModelRegistryService.versionNumber(version)
        _ = try await registry.modelVersion(name: model, version: number)
        let target = alias.isEmpty ? "production" : alias
        let policy = try await policy().policy
        guard policy.isProtected(alias: target) || target.lowercased() == ModelStage.production.rawValue.lowercased() else {
            throw StewardError.invalidParameter(
                "Approvals are for protected targets: \(policy.protectedAliases.joined(separator: ", ")) or Production; '\(target)' is not one.")
        }
        let request = ApprovalRequest(
            id: Self.identifier("apr"), systemID: systemID, model: model, version: number, alias: target, requestedBy: actor.name,
            createdAt: now(), decisions: [])
        try await repository.createApprovalRequest(
            request,
            audit: AuditEntry(
                actor: actor, action: "approval.request", target: "model:\(model)/\(number)", systemID: systemID,
                details: ["request": request.id, "alias": request.alias]))
        return request
    }

    /// Records a reviewer's decision. Only reviewers, compliance officers and admins decide, always
    /// authenticated, and never on a version they registered or trained themselves.
    public func decide(requestID: String, verdict: ApprovalDecision.Verdict, comment: String, actor: Principal) async throws -> ApprovalRequest {
        let request = try await repository.approvalRequest(id: requestID)
        var entry = AuditEntry(
            actor: actor, action: "approval.\(verdict.rawValue)", target: "model:\(request.model)/\(request.version)",
            systemID: request.systemID, details: ["request": requestID, "comment": comment])
        try await require(actor, Self.approvers, to: "decide approvals", entry)
        let version = try await registry.modelVersion(name: request.model, version: request.version)
        let authors = try await authors(of: version)
        if version.userID.isEmpty {
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "Version \(request.version) of '\(request.model)' was registered without a user, so approving it cannot be kept apart "
                        + "from authoring it; register versions with credentials."))
        }
        if authors.contains(actor.name) {
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "User '\(actor.name)' registered or trained version \(request.version) of '\(request.model)' and may not approve it: "
                        + "approvals need someone other than the author."))
        }
        entry.details["role"] = actor.role?.rawValue
        if verdict == .approve {
            entry.details["content_digest"] = try await verifiedContent(of: version, actor: actor, action: entry.action, refusing: entry)
        }
        try await repository.addDecision(
            ApprovalDecision(approver: actor.name, role: actor.role ?? .viewer, verdict: verdict, comment: comment, decidedAt: now()), to: requestID,
            audit: entry)
        return try await repository.approvalRequest(id: requestID)
    }

    public func approvals(systemID: String) async throws -> [ApprovalRequest] {
        _ = try await repository.system(id: systemID)
        return try await repository.approvalRequests(systemID: systemID, model: nil, version: nil)
    }

    /// Who may not approve a version: whoever registered it and the user of the run it came from. A run that
    /// cannot be read fails the check rather than passing it.
    func authors(of version: ModelVersion) async throws -> Set<String> {
        var names: Set<String> = [version.userID]
        if !version.runID.isEmpty { names.insert(try await runs.run(id: version.runID).info.userID) }
        names.remove("")
        return names
    }

    /// The digest of a version's content, checked against what was registered (an integrity failure is refused
    /// and audited). A version whose files the server does not store cannot be checked, so nothing may rest on it.
    func verifiedContent(of version: ModelVersion, actor: Principal, action: String, refusing entry: AuditEntry) async throws -> String {
        if let digest = try await integrity.verify(version, actor: actor, action: action, systemID: entry.systemID) { return digest }
        try await refuse(
            entry,
            StewardError(
                .permissionDenied,
                "Version \(version.version) of '\(version.name)' keeps its files at '\(version.storageLocation)', which Steward does not store, so "
                    + "it cannot tell whether they change after they are approved. Register the version from files logged to Steward "
                    + "(mlflow-artifacts:/…)."))
    }

    // MARK: Controls

    /// Every control the system's tier requires, checked for one model version and target.
    public func controls(systemID: String, model: String, version: String, target: PromotionTarget = .alias("production")) async throws -> (
        tier: RiskTier, controls: [ControlEvaluation]
    ) {
        let system = try await repository.system(id: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
        let policy = try await policy().policy
        let modelVersion = try await registry.modelVersion(name: model, version: try ModelRegistryService.versionNumber(version))
        return (
            system.riskTier,
            ControlEvaluation.evaluate(policy, try await facts(system: system, version: modelVersion, target: target, policy: policy))
        )
    }

    /// Every fact the decision on `version` for `target` rests on, each read once.
    func facts(system: AISystem, version: ModelVersion, target: PromotionTarget, policy: GovernancePolicy) async throws -> PromotionFacts {
        var facts = try await targetIndependentFacts(system: system, version: version)
        facts.approvals = try await approvals(of: version, system: system, for: target, policy: policy, authors: try await authors(of: version))
        return facts
    }

    /// Every fact but the approvals, which count for one target only.
    func targetIndependentFacts(system: AISystem, version: ModelVersion) async throws -> PromotionFacts {
        let notes = try await registry.cardNotes(name: version.name, version: version.version)
        return PromotionFacts(
            system: system, model: version.name, version: version.version,
            cardStatesIntendedUse: !(notes[ModelCard.Note.intendedUse.rawValue] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            evidence: try await repository.evidence(systemID: system.id), approvals: [],
            evaluation: try await evaluations.evaluations(systemID: system.id, model: version.name, version: version.version).first,
            monitoring: try await monitoringFacts(systemID: system.id))
    }

    /// The still valid approving decisions on a version for `target`, by people other than its authors, each
    /// approver's latest decision counting.
    func approvals(
        of version: ModelVersion, system: AISystem, for target: PromotionTarget, policy: GovernancePolicy, authors: Set<String>
    ) async throws -> [ApprovalDecision] {
        let oldest = now() - Int64(policy.approvalValidityDays) * 86_400_000
        var latest: [String: ApprovalDecision] = [:]
        for request in try await repository.approvalRequests(systemID: system.id, model: version.name, version: version.version)
        where AliasName.key(request.alias) == target.approvalKey {
            for decision in request.decisions where latest[decision.approver].map({ $0.decidedAt <= decision.decidedAt }) ?? true {
                latest[decision.approver] = decision
            }
        }
        return latest.values.filter { $0.verdict == .approve && $0.decidedAt >= oldest && !authors.contains($0.approver) }
            .sorted { $0.decidedAt < $1.decidedAt }
    }

    /// What Steward observes of a system's monitoring: its reference profile and alert rules.
    func monitoringFacts(systemID: String) async throws -> MonitoringFacts {
        let outline = try await monitoring.alertRules(systemID: systemID).map(AlertRules.outline) ?? (conditions: 0, retrainingWebhook: false)
        return MonitoringFacts(
            reference: try await monitoring.currentReferenceVersion(systemID: systemID), alertConditions: outline.conditions,
            retrainingWebhook: outline.retrainingWebhook)
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
                entry.systemID = try await repository.system(owning: model)?.id
                try await refuse(
                    entry,
                    .invalidParameter(
                        "Alias '\(alias)' reads as the protected alias '\(imitated)' (its letters are look-alikes, or differ only in "
                            + "accents); it would look protected without being so. Choose another name."))
            }
            return nil
        }
        let modelVersion = try await registry.modelVersion(name: model, version: version)
        guard let system = try await repository.system(owning: model) else {
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
            policy, try await facts(system: system, version: modelVersion, target: target, policy: policy))
        let missing = evaluations.filter { !$0.satisfied }
        if !missing.isEmpty {
            entry.details["missing"] = missing.map(\.name).joined(separator: ",")
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "Promotion of '\(model)' version \(version) to \(target) refused: system '\(system.name)' is \(system.riskTier.rawValue) risk "
                        + "and \(missing.count) required control\(missing.count == 1 ? " is" : "s are") missing: "
                        + missing.map { "\($0.name) (\($0.detail))" }.joined(separator: "; ") + "."))
        }
        entry.details["controls"] = evaluations.map(\.name).joined(separator: ",")
        entry.details["content_digest"] = try await verifiedContent(of: modelVersion, actor: actor, action: action, refusing: entry)
        entry.decidedAfter = basis
        return entry
    }

    public func release(model: String, target: PromotionTarget, actor: Principal) async throws -> AuditEntry? {
        guard try await isProtected(target) else { return nil }
        return AuditEntry(
            actor: actor, action: "promotion.release", target: "model:\(model)", systemID: try await repository.system(owning: model)?.id,
            details: ["from": target.description])
    }

    public func systemID(owning model: String) async throws -> String? {
        try await repository.system(owning: model)?.id
    }

    public func change(model: String, action: String, actor: Principal, details: [String: String]) async throws -> AuditEntry? {
        guard let system = try await repository.system(owning: model) else { return nil }
        return AuditEntry(actor: actor, action: action, target: "model:\(model)", systemID: system.id, details: details)
    }

    public func authorize(_ change: NameChange, actor: Principal) async throws -> NameDecision {
        let model: String
        var entry: AuditEntry
        switch change {
        case .create(let name):
            guard let reserved = try await registry.reservation(of: name) else { return NameDecision() }
            entry = AuditEntry(
                actor: actor, action: "model.create", target: "model:\(name)", systemID: reserved.systemID,
                details: ["reserved_for": reserved.systemID])
            try await require(actor, Self.governors, to: "take the name of a model that belonged to an AI system", entry)
            return NameDecision(audit: entry)
        case .rename(let from, let to):
            model = from
            entry = AuditEntry(actor: actor, action: "model.rename", target: "model:\(from)", details: ["to": to])
        case .delete(let name):
            model = name
            entry = AuditEntry(actor: actor, action: "model.delete", target: "model:\(name)")
        }
        let registered = try await registry.registeredModel(name: model)
        let system = try await repository.system(owning: model)
        entry.systemID = system?.id
        let policy = try await policy().policy
        if let held = Self.protectedHolding(registered, policy: policy) {
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "'\(model)' holds \(held): to \(change.verb) it would change what that resolves to without a promotion. Release it "
                        + "first (deleting a protected alias or leaving Production is audited), then \(change.verb) the model."))
        }
        if let system {
            try await require(actor, Self.governors, to: "\(change.verb) a model of AI system '\(system.name)'", entry)
        }
        var reserved: NameReservation?
        if case .rename(_, let to) = change, let reservation = try await registry.reservation(of: to) {
            reserved = reservation
            entry.details["reserved_for"] = reservation.systemID
            try await require(actor, Self.governors, to: "take the name of a model that belonged to an AI system", entry)
        }
        guard system != nil || reserved != nil else { return NameDecision() }
        return NameDecision(audit: entry, reservation: system.map { NameReservation(name: model, systemID: $0.id) })
    }

    public func authorizeVersionDeletion(model: String, version: Int64, actor: Principal) async throws -> AuditEntry? {
        let modelVersion = try await registry.modelVersion(name: model, version: version)
        let system = try await repository.system(owning: model)
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
        let system = try await repository.system(id: systemID)
        try await requireWrite(actor, action, target: "model:\(model)", systemID: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
    }
}
