import Hummingbird
import StewardCore

/// The AI Register (`/api/v1/systems`): entries, risk classification and tier overrides, linked models,
/// evidence, controls, approval requests, promotion and rollback, and the register's exports.
struct SystemsController<Context: IdentifiedRequestContext>: Sendable {
    let register: RegisterService
    let approvals: ApprovalService
    let promotion: PromotionDecision
    let registry: ModelRegistryService

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.post, "systems", use: create)
        group.native(.get, "systems", use: list)
        group.native(.get, "systems/:id", use: show)
        group.native(.patch, "systems/:id", use: update)
        group.native(.post, "systems/:id/tier", use: overrideTier)
        group.native(.post, "systems/:id/models", use: link)
        group.native(.delete, "systems/:id/models/:name", use: unlink)
        group.native(.post, "systems/:id/evidence", use: addEvidence)
        group.native(.get, "systems/:id/evidence", use: listEvidence)
        group.native(.get, "systems/:id/controls", query: ["model", "version", "alias", "stage"], use: controls)
        group.native(.post, "systems/:id/approvals", use: requestApproval)
        group.native(.get, "systems/:id/approvals", use: listApprovals)
        group.native(.get, "approvals", query: ["status"], use: inbox)
        group.native(.post, "approvals/:id/decisions", use: decide)
        group.native(.post, "systems/:id/promote", use: promote)
        group.native(.post, "systems/:id/rollback", use: rollback)
        group.native(.get, "systems/:id/documentation", query: ["format"], use: documentation)
        group.native(.post, "classify", access: .read, use: classify)
        group.native(.get, "register/portfolio", query: ["format"], use: portfolio)
    }

    struct SystemResponse: Encodable { let system: WireSystem }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let draft = try await NativeMessage.decode(SystemDraft.self, from: request)
        let system = try await register.createSystem(draft, actor: context.principal)
        return try NativeMessage.json(SystemResponse(system: WireSystem(try await register.entry(systemID: system.id))), status: .created)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        return try NativeMessage.json(SystemsListBody(systems: try await register.portfolio().map(WireSystem.init)))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try NativeMessage.json(SystemResponse(system: WireSystem(try await register.entry(systemID: try NativeMessage.parameter("id", context)))))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let draft = try await NativeMessage.decode(SystemDraft.self, from: request)
        let system = try await register.updateSystem(id: try NativeMessage.parameter("id", context), draft, actor: context.principal)
        return try NativeMessage.json(SystemResponse(system: WireSystem(try await register.entry(systemID: system.id))))
    }

    struct TierRequest: Decodable {
        var tier: String?
        var rationale: String?
    }

    @Sendable func overrideTier(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(TierRequest.self, from: request)
        let system = try await register.overrideTier(
            systemID: try NativeMessage.parameter("id", context), tier: try RiskTier(parsing: try NativeMessage.required(message.tier, "tier")),
            rationale: message.rationale ?? "", actor: context.principal)
        return try NativeMessage.json(SystemResponse(system: WireSystem(try await register.entry(systemID: system.id))))
    }

    struct LinkRequest: Decodable {
        var name: String?
        var kind: String?
    }

    @Sendable func link(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(LinkRequest.self, from: request)
        guard let kind = SystemComponent.Kind(rawValue: message.kind ?? "model") else {
            throw StewardError.invalidParameter("kind must be 'model' or 'prompt'.")
        }
        let system = try await register.link(
            systemID: try NativeMessage.parameter("id", context), name: try NativeMessage.required(message.name, "name"), kind: kind,
            actor: context.principal)
        return try NativeMessage.json(SystemResponse(system: WireSystem(system)))
    }

    @Sendable func unlink(_ request: Request, context: Context) async throws -> Response {
        let system = try await register.unlink(
            systemID: try NativeMessage.parameter("id", context), name: try NativeMessage.parameter("name", context), actor: context.principal)
        return try NativeMessage.json(SystemResponse(system: WireSystem(system)))
    }

    struct EvidenceRequest: Decodable {
        var type: String?
        var reference: String?
        var digest: String?
        var model: String?
        var version: WireText?
    }

    @Sendable func addEvidence(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(EvidenceRequest.self, from: request)
        let evidence = try await approvals.addEvidence(
            systemID: try NativeMessage.parameter("id", context), type: try NativeMessage.required(message.type, "type"),
            reference: try NativeMessage.required(message.reference, "reference"), digest: message.digest ?? "", model: message.model,
            version: message.version?.text, actor: context.principal)
        return try NativeMessage.json(SystemsAddEvidenceBody(evidence: WireEvidence(evidence)), status: .created)
    }

    @Sendable func listEvidence(_ request: Request, context: Context) async throws -> Response {
        let id = try NativeMessage.parameter("id", context)
        let evidence = try await approvals.evidence(systemID: id)
        return try NativeMessage.json(SystemsListEvidenceBody(evidence: evidence.map(WireEvidence.init)))
    }

    @Sendable func controls(_ request: Request, context: Context) async throws -> Response {
        let model = try NativeMessage.required(try NativeMessage.query("model", request), "model")
        let version = try NativeMessage.required(try NativeMessage.query("version", request), "version")
        let target: PromotionTarget =
            try NativeMessage.query("stage", request).flatMap(ModelStage.init(lenient:)).map { .stage($0) }
            ?? .alias(try NativeMessage.query("alias", request) ?? "production")
        let (tier, evaluations) = try await promotion.controls(
            systemID: try NativeMessage.parameter("id", context), model: model, version: version, target: target)
        return try NativeMessage.json(
            SystemsControlsBody(
                tier: tier.rawValue, model: model, version: version, controls: evaluations, missing: evaluations.filter { !$0.satisfied }.map(\.name))
        )
    }

    struct ApprovalBody: Encodable { let approval: WireApproval }

    struct ApprovalRequestMessage: Decodable {
        var model: String?
        var version: WireText?
        var alias: String?
    }

    @Sendable func requestApproval(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(ApprovalRequestMessage.self, from: request)
        let approval = try await approvals.requestApproval(
            systemID: try NativeMessage.parameter("id", context), model: try NativeMessage.required(message.model, "model"),
            version: try NativeMessage.required(message.version?.text, "version"), alias: message.alias ?? "", actor: context.principal)
        return try NativeMessage.json(ApprovalBody(approval: WireApproval(approval)), status: .created)
    }

    @Sendable func listApprovals(_ request: Request, context: Context) async throws -> Response {
        let id = try NativeMessage.parameter("id", context)
        let requests = try await approvals.approvals(systemID: id)
        return try NativeMessage.json(SystemsListApprovalsBody(approvals: requests.map { WireApproval($0) }))
    }

    @Sendable func inbox(_ request: Request, context: Context) async throws -> Response {
        let status = try NativeMessage.query("status", request).map { text in
            guard let status = ApprovalRequest.Status(rawValue: text) else {
                throw StewardError.invalidParameter("status must be pending, approved or rejected, got '\(text)'.")
            }
            return status
        }
        let inbox = try await approvals.inbox(status: status, actor: context.principal)
        return try NativeMessage.json(SystemsListApprovalsBody(approvals: inbox.map { WireApproval($0.request, awaitsYou: $0.awaitsActor) }))
    }

    struct DecisionMessage: Decodable {
        var decision: String?
        var comment: String?
    }

    @Sendable func decide(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(DecisionMessage.self, from: request)
        let text = try NativeMessage.required(message.decision, "decision")
        guard let verdict = ApprovalDecision.Verdict(rawValue: text.lowercased()) else {
            throw StewardError.invalidParameter("decision must be 'approve' or 'reject', got '\(text)'.")
        }
        let approval = try await approvals.decide(
            requestID: try NativeMessage.parameter("id", context), verdict: verdict, comment: message.comment ?? "", actor: context.principal)
        return try NativeMessage.json(ApprovalBody(approval: WireApproval(approval)))
    }

    struct PromoteMessage: Decodable {
        var model: String?
        var version: WireText?
        var alias: String?
        var stage: String?
        var archiveExistingVersions: Bool?
    }

    @Sendable func promote(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(PromoteMessage.self, from: request)
        let target: PromotionTarget
        switch (message.alias?.nonEmpty, message.stage?.nonEmpty) {
        case (let alias?, nil):
            target = .alias(alias)
        case (nil, let stage?):
            guard let parsed = ModelStage(lenient: stage) else { throw StewardError.invalidParameter("Unknown stage '\(stage)'.") }
            target = .stage(parsed)
        default:
            throw StewardError.invalidParameter("Name exactly one of alias or stage to promote to.")
        }
        let version = try await registry.promote(
            systemID: try NativeMessage.parameter("id", context), name: try NativeMessage.required(message.model, "model"),
            version: try NativeMessage.required(message.version?.text, "version"), target: target,
            archiveExisting: message.archiveExistingVersions ?? false, actor: context.principal)
        return MLflowResponse.json(WireMember("model_version", WireModelVersion(version)))
    }

    struct RollbackMessage: Decodable {
        var model: String?
        var alias: String?
    }

    @Sendable func rollback(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(RollbackMessage.self, from: request)
        let model = try NativeMessage.required(message.model, "model")
        let alias = try NativeMessage.required(message.alias, "alias")
        let (from, to) = try await registry.rollback(
            systemID: try NativeMessage.parameter("id", context), name: model, alias: alias, actor: context.principal)
        return try NativeMessage.json(SystemsRollbackBody(model: model, alias: alias, fromVersion: String(from), toVersion: String(to)))
    }

    struct ClassifyMessage: Decodable {
        var questionnaire: RiskQuestionnaire?
    }

    @Sendable func classify(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(ClassifyMessage.self, from: request)
        let (tier, reasons) = RegisterService.classify(message.questionnaire ?? RiskQuestionnaire())
        return try NativeMessage.json(SystemsClassifyBody(tier: tier.rawValue, reasons: reasons))
    }

    /// Every system with tier, owner, maturity, controls, last evaluation and open incidents, as JSON or
    /// (`?format=csv`) CSV.
    @Sendable func portfolio(_ request: Request, context: Context) async throws -> Response {
        let entries = try await register.portfolio()
        switch try NativeMessage.query("format", request) ?? "json" {
        case "csv":
            var response = NativeMessage.text(PortfolioTable.csv(entries), contentType: "text/csv; charset=utf-8")
            response.headers[.contentDisposition] = "attachment; filename=\"steward-portfolio.csv\""
            return response
        case "json":
            return try NativeMessage.json(SystemsPortfolioBody(systems: entries.map(WireSystem.init)))
        case let other:
            throw StewardError.invalidParameter("Unknown format '\(other)': use json or csv.")
        }
    }

    @Sendable func documentation(_ request: Request, context: Context) async throws -> Response {
        let format = try DocumentFormat(requestedBy: request)
        let documentation = TechnicalDocumentation(try await register.documentation(systemID: try NativeMessage.parameter("id", context)))
        return format.response(try format.render(documentation))
    }
}

extension String {
    /// The string, or nil when empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}

struct SystemsListBody: Encodable { let systems: [WireSystem] }

struct SystemsAddEvidenceBody: Encodable { let evidence: WireEvidence }

struct SystemsListEvidenceBody: Encodable { let evidence: [WireEvidence] }

struct SystemsControlsBody: Encodable {
    let tier: String
    let model: String
    let version: String
    let controls: [ControlEvaluation]
    let missing: [String]
}

struct SystemsListApprovalsBody: Encodable { let approvals: [WireApproval] }

struct SystemsRollbackBody: Encodable {
    let model: String
    let alias: String
    let fromVersion: String
    let toVersion: String
}

struct SystemsClassifyBody: Encodable {
    let tier: String
    let reasons: [String]
}

struct SystemsPortfolioBody: Encodable { let systems: [WireSystem] }
