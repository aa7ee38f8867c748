/// Approvals with separation of duties, and evidence for what Steward cannot observe. A reviewer approves one
/// version for one protected target, never a version they registered or trained, and only after its content is
/// checked; evidence is recorded only under a type a control of the policy reads.
public struct ApprovalService: Sendable {
    let repository: any ApprovalRepository
    let systems: any SystemRepository
    let gate: PromotionDecision
    let registry: any ModelRegistryRepository
    let integrity: ContentIntegrity
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(
        repository: any ApprovalRepository, systems: any SystemRepository, gate: PromotionDecision, registry: any ModelRegistryRepository,
        integrity: ContentIntegrity, audit: any AuditRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.systems = systems
        self.gate = gate
        self.registry = registry
        self.integrity = integrity
        self.audit = audit
        self.now = now
    }

    /// Asks reviewers to approve a model version of a system for a protected alias (or the Production stage).
    public func requestApproval(systemID: String, model: String, version: String, alias: String, actor: Principal) async throws -> ApprovalRequest {
        try await gate.requireComponent(systemID: systemID, model: model, actor: actor, action: "approval.request")
        let number = try ModelRegistryService.versionNumber(version)
        let modelVersion = try await registry.modelVersion(name: model, version: number)
        guard !modelVersion.userID.isEmpty else {
            // No decision on it could ever count (approving it cannot be kept apart from authoring it): say so now.
            throw StewardError(
                .permissionDenied,
                "Version \(number) of '\(model)' was registered without a user, so no approval of it can count: register it again with "
                    + "credentials: MLFLOW_TRACKING_TOKEN set to an API token (steward users create NAME --role contributor prints one).")
        }
        let target = alias.isEmpty ? "production" : alias
        let policy = try await gate.policy().policy
        guard policy.isProtected(alias: target) || target.lowercased() == ModelStage.production.rawValue.lowercased() else {
            throw StewardError.invalidParameter(
                "Approvals are for protected targets: \(policy.protectedAliases.joined(separator: ", ")) or Production; '\(target)' is not one.")
        }
        let request = ApprovalRequest(
            id: RecordID.make("apr"), systemID: systemID, model: model, version: number, alias: target, requestedBy: actor.name,
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
        try await audit.require(actor, GovernanceRoles.approvers, to: "decide approvals", entry, now: now())
        let version = try await registry.modelVersion(name: request.model, version: request.version)
        let authors = try await gate.facts.authors(of: version)
        if version.userID.isEmpty {
            try await audit.refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "Version \(request.version) of '\(request.model)' was registered without a user, so approving it cannot be kept apart "
                        + "from authoring it; register versions with credentials."), now: now())
        }
        if authors.contains(actor.name) {
            try await audit.refuse(
                entry,
                StewardError(
                    .permissionDenied,
                    "User '\(actor.name)' registered or trained version \(request.version) of '\(request.model)' and may not approve it: "
                        + "approvals need someone other than the author."), now: now())
        }
        entry.details["role"] = actor.role?.rawValue
        if verdict == .approve {
            entry.details["content_digest"] = try await integrity.verifiedDigest(of: version, actor: actor, action: entry.action, refusing: entry)
        }
        try await repository.addDecision(
            ApprovalDecision(approver: actor.name, role: actor.role ?? .viewer, verdict: verdict, comment: comment, decidedAt: now()), to: requestID,
            audit: entry)
        return try await repository.approvalRequest(id: requestID)
    }

    /// The caller's inbox: the approval requests of every system that wait on `actor` (still pending, and it may
    /// decide approvals, authored neither the version nor its run, and has not decided the request) or that it
    /// asked for, oldest
    /// first; `status` keeps only those in it. `awaitsActor` tells the first kind.
    public func inbox(status: ApprovalRequest.Status?, actor: Principal) async throws -> [(request: ApprovalRequest, awaitsActor: Bool)] {
        guard actor.isAuthenticated else {
            throw StewardError(.unauthenticated, "The approvals inbox is a user's own: send an API token (Authorization: Bearer …).")
        }
        let decides = actor.role.map(GovernanceRoles.approvers.contains) == true
        var inbox: [(request: ApprovalRequest, awaitsActor: Bool)] = []
        for request in try await repository.approvalRequests(systemID: nil, model: nil, version: nil)
        where status.map({ request.status == $0 }) ?? true {
            var awaits = false
            if decides, request.status == .pending, !request.decisions.contains(where: { IdentityService.sameName($0.approver, actor.name) }),
                let version = try? await registry.modelVersion(name: request.model, version: request.version), !version.userID.isEmpty
            {
                awaits = !(try await gate.facts.authors(of: version)).contains(actor.name)
            }
            if awaits || IdentityService.sameName(request.requestedBy, actor.name) { inbox.append((request, awaits)) }
        }
        return inbox
    }

    /// Why `actor` may not decide `request`, or nil when it may: the rules `decide` enforces, so that a page can
    /// say so before anyone asks.
    public func reasonNotToDecide(_ request: ApprovalRequest, actor: Principal) async throws -> String? {
        guard actor.isAuthenticated else { return "Sign in to decide approvals." }
        guard let role = actor.role, GovernanceRoles.approvers.contains(role) else {
            return "Only reviewers, compliance officers and admins decide approvals."
        }
        guard request.status == .pending else { return "Already \(request.status.rawValue)." }
        if request.decisions.contains(where: { IdentityService.sameName($0.approver, actor.name) }) { return "You have decided it." }
        let version = try await registry.modelVersion(name: request.model, version: request.version)
        if version.userID.isEmpty { return "The version was registered without a user, so no one may approve it." }
        if try await gate.facts.authors(of: version).contains(actor.name) {
            return "You registered or trained this version: approvals need someone other than the author."
        }
        return nil
    }

    public func approvals(systemID: String) async throws -> [ApprovalRequest] {
        _ = try await systems.system(id: systemID)
        return try await repository.approvalRequests(systemID: systemID, model: nil, version: nil)
    }

    /// Records evidence that a control is met, for the system or for one model version of it.
    public func addEvidence(
        systemID: String, type: String, reference: String, digest: String, model: String?, version: String?, actor: Principal
    ) async throws -> Evidence {
        let system = try await systems.system(id: systemID)
        try await audit.requireContributor(actor, "evidence.add", target: "system:\(systemID)", systemID: systemID, now: now())
        guard !type.isEmpty, type.count <= 100, type.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw StewardError.invalidParameter("Evidence needs a type of letters, digits, '_' or '-' (such as evaluation or bias_test).")
        }
        try Self.requireEvidenceType(type, of: try await gate.policy().policy)
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
            id: RecordID.make("ev"), systemID: systemID, type: type, reference: reference, digest: digest, model: model?.nonEmptyValue,
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
        } else if let close = EditDistance.closest(to: type, among: known) {
            message += ": did you mean '\(close)'?"
        } else {
            message += "."
        }
        throw .invalidParameter(message + " The policy's controls read evidence of type: " + known.sorted().joined(separator: ", ") + ".")
    }

    public func evidence(systemID: String) async throws -> [Evidence] {
        _ = try await systems.system(id: systemID)
        return try await repository.evidence(systemID: systemID)
    }
}
