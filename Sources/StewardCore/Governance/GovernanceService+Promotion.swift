/// Approvals, the promotion decision and rollback.
extension GovernanceService: PromotionGate {
    // MARK: Approvals

    /// Asks reviewers to approve a model version of a system for an alias (or the Production stage).
    public func requestApproval(systemID: String, model: String, version: String, alias: String, actor: Principal) async throws -> ApprovalRequest {
        let system = try await repository.system(id: systemID)
        try await requireWrite(actor, "approval.request", target: "system:\(systemID)", systemID: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
        let number = try ModelRegistryService.versionNumber(version)
        _ = try await registry.modelVersion(name: model, version: number)
        let request = ApprovalRequest(
            id: Self.identifier("apr"), systemID: systemID, model: model, version: number, alias: alias.isEmpty ? "production" : alias,
            requestedBy: actor.name, createdAt: now(), decisions: [])
        try await repository.createApprovalRequest(
            request,
            audit: AuditEntry(
                actor: actor.name, action: "approval.request", target: "model:\(model)/\(number)", systemID: systemID,
                details: ["request": request.id, "alias": request.alias]))
        return request
    }

    /// Records a reviewer's decision. Only reviewers, compliance officers and admins decide, always
    /// authenticated, and never on a version they registered or trained themselves.
    public func decide(requestID: String, verdict: ApprovalDecision.Verdict, comment: String, actor: Principal) async throws -> ApprovalRequest {
        let request = try await repository.approvalRequest(id: requestID)
        let entry = AuditEntry(
            actor: actor.name, action: "approval.\(verdict.rawValue)", target: "model:\(request.model)/\(request.version)",
            systemID: request.systemID, details: ["request": requestID, "comment": comment])
        try await require(actor, Self.approvers, to: "decide approvals", entry)
        if try await authors(model: request.model, version: request.version).contains(actor.name) {
            try await refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "User '\(actor.name)' registered or trained version \(request.version) of '\(request.model)' and may not approve it: "
                        + "approvals need someone other than the author."))
        }
        var stored = entry
        stored.details["role"] = actor.role?.rawValue
        try await repository.addDecision(
            ApprovalDecision(approver: actor.name, role: actor.role ?? .viewer, verdict: verdict, comment: comment, decidedAt: now()), to: requestID,
            audit: stored)
        return try await repository.approvalRequest(id: requestID)
    }

    public func approvals(systemID: String) async throws -> [ApprovalRequest] {
        _ = try await repository.system(id: systemID)
        return try await repository.approvalRequests(systemID: systemID, model: nil, version: nil)
    }

    /// Who may not approve a version: whoever registered it and the user of the run it came from.
    func authors(model: String, version: Int64) async throws -> Set<String> {
        let modelVersion = try await registry.modelVersion(name: model, version: version)
        var names: Set<String> = [modelVersion.userID]
        if !modelVersion.runID.isEmpty, let run = try? await runs.run(id: modelVersion.runID) { names.insert(run.info.userID) }
        names.remove("")
        return names
    }

    // MARK: Controls

    /// Every control the system's tier requires, checked for one model version.
    public func controls(systemID: String, model: String, version: String) async throws -> (tier: RiskTier, controls: [ControlEvaluation]) {
        let system = try await repository.system(id: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
        let policy = try await policy().policy
        let facts = try await facts(system: system, model: model, version: try ModelRegistryService.versionNumber(version), policy: policy)
        return (system.riskTier, ControlEvaluation.evaluate(policy, facts))
    }

    func facts(system: AISystem, model: String, version: Int64, policy: GovernancePolicy) async throws -> PromotionFacts {
        _ = try await registry.modelVersion(name: model, version: version)
        let notes = try await registry.cardNotes(name: model, version: version)
        let authors = try await authors(model: model, version: version)
        let oldest = now() - Int64(policy.approvalValidityDays) * 86_400_000
        var latest: [String: ApprovalDecision] = [:]
        for request in try await repository.approvalRequests(systemID: system.id, model: model, version: version) {
            for decision in request.decisions where latest[decision.approver].map({ $0.decidedAt <= decision.decidedAt }) ?? true {
                latest[decision.approver] = decision
            }
        }
        let approvals = latest.values.filter { $0.verdict == .approve && $0.decidedAt >= oldest && !authors.contains($0.approver) }
        return PromotionFacts(
            system: system, model: model, version: version,
            cardStatesIntendedUse: !(notes[ModelCard.Note.intendedUse.rawValue] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            evidence: try await repository.evidence(systemID: system.id), approvals: approvals.sorted { $0.decidedAt < $1.decidedAt })
    }

    // MARK: Promotion

    func isProtected(_ target: PromotionTarget, _ policy: GovernancePolicy) -> Bool {
        switch target {
        case .alias(let alias): policy.isProtected(alias: alias)
        case .stage(let stage): stage == .production
        }
    }

    public func authorize(model: String, version: Int64, target: PromotionTarget, actor: Principal) async throws -> AuditEntry? {
        let policy = try await policy().policy
        guard isProtected(target, policy) else { return nil }
        var entry = AuditEntry(
            actor: actor.name, action: "promotion", target: "model:\(model)/\(version)", details: ["to": target.description])
        _ = try await registry.modelVersion(name: model, version: version)
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
        let evaluations = ControlEvaluation.evaluate(policy, try await facts(system: system, model: model, version: version, policy: policy))
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
        return entry
    }

    public func release(model: String, target: PromotionTarget, actor: Principal) async throws -> AuditEntry? {
        let policy = try await policy().policy
        guard isProtected(target, policy) else { return nil }
        return AuditEntry(
            actor: actor.name, action: "promotion.release", target: "model:\(model)", systemID: try await repository.system(owning: model)?.id,
            details: ["from": target.description])
    }

    /// Promotes a version of a system's model to an alias or the Production stage: the same decision as every
    /// other path, plus the check that the model is part of this system.
    public func promote(
        systemID: String, model: String, version: String, target: PromotionTarget, archiveExisting: Bool, actor: Principal
    ) async throws -> ModelVersion {
        let system = try await repository.system(id: systemID)
        try await requireWrite(actor, "promotion", target: "model:\(model)/\(version)", systemID: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
        let number = try ModelRegistryService.versionNumber(version)
        switch target {
        case .alias(let alias):
            try ModelRegistryService.validateAlias(alias)
            let entry = try await authorize(model: model, version: number, target: target, actor: actor)
            try await registry.setAlias(name: model, alias: alias, version: number, actor: actor.name, now: now(), audit: entry)
            return try await registry.modelVersion(name: model, version: number)
        case .stage(let stage):
            let entry = try await authorize(model: model, version: number, target: target, actor: actor)
            return try await registry.transitionModelVersion(
                name: model, version: number, to: stage, archiveExisting: archiveExisting && stage == .production, actor: actor.name, now: now(),
                audit: entry)
        }
    }

    /// Points a protected alias back at the version that held it before, in one audited step. The earlier
    /// version already passed the controls of its promotion, so rollback does not wait for them again.
    public func rollback(systemID: String, model: String, alias: String, actor: Principal) async throws -> (from: Int64, to: Int64) {
        let system = try await repository.system(id: systemID)
        try await requireWrite(actor, "rollback", target: "model:\(model)", systemID: systemID)
        guard system.components.contains(where: { $0.name == model }) else {
            throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
        }
        let current = try await registry.aliasedVersion(name: model, alias: alias)
        guard let previous = try await previousVersion(model: model, alias: alias, current: current) else {
            try await refuse(
                AuditEntry(actor: actor.name, action: "rollback", target: "model:\(model)", systemID: systemID, details: ["alias": alias]),
                StewardError(.invalidParameterValue, "Alias '\(alias)' of '\(model)' has no earlier version to roll back to."))
        }
        try await registry.setAlias(
            name: model, alias: alias, version: previous, actor: actor.name, now: now(),
            audit: AuditEntry(
                actor: actor.name, action: "rollback", target: "model:\(model)", systemID: systemID,
                details: ["alias": alias, "from": "\(current)", "to": "\(previous)"]))
        return (current, previous)
    }

    /// The version an alias held before it moved to `current`, if that version still exists.
    func previousVersion(model: String, alias: String, current: Int64) async throws -> Int64? {
        let held = try await registry.history(name: model).filter { $0.kind == .aliasSet && $0.alias == alias }.compactMap(\.version)
        var candidates = held
        while let last = candidates.last, last == current { candidates.removeLast() }
        for version in candidates.reversed() where version != current {
            if (try? await registry.modelVersion(name: model, version: version)) != nil { return version }
        }
        return nil
    }
}
