import Foundation
import Hummingbird
import StewardCore
import StewardStatistics

/// Production monitoring of a system (`/api/v1/systems/{id}/…`): inference events and labels in batches,
/// retention settings, and the five-category status of a window.
struct MonitoringController<Context: IdentifiedRequestContext>: Sendable {
    let events: EventService
    let references: ReferenceService
    let alerts: AlertService
    let webhooks: WebhookService

    /// A batch of events may be large: 100,000 events of a few hundred bytes each.
    static var maximumBatchBytes: Int { 64 << 20 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.native(.post, "systems/:id/events", use: ingest)
        group.native(.post, "systems/:id/labels", use: label)
        group.native(.get, "systems/:id/monitoring", use: showSettings)
        group.native(.put, "systems/:id/monitoring", use: replaceSettings)
        group.native(.get, "systems/:id/monitoring/status", query: ["window"], use: status)
        group.native(.put, "systems/:id/reference", use: replaceReference)
        group.native(.get, "systems/:id/reference", use: showReference)
        group.native(.get, "systems/:id/drift", query: ["window", "method", "threshold"], use: drift)
        group.native(.put, "systems/:id/alerts/rules", use: replaceAlertRules)
        group.native(.get, "systems/:id/alerts/rules", use: showAlertRules)
        group.native(.post, "systems/:id/alerts/evaluate", readsBody: false, use: evaluateAlerts)
        group.native(.get, "systems/:id/alerts", query: ["status"], use: listAlerts)
        group.native(.get, "systems/:id/webhook-deliveries", use: listDeliveries)
    }

    /// The YAML rules as the body (reviewer, compliance or admin).
    @Sendable func replaceAlertRules(_ request: Request, context: Context) async throws -> Response {
        let rules = try await alerts.setAlertRules(
            systemID: try NativeMessage.parameter("id", context), document: try await NativeMessage.text(of: request), actor: context.principal)
        return try NativeMessage.json(RulesBody(rules: WireRules(rules)))
    }

    @Sendable func showAlertRules(_ request: Request, context: Context) async throws -> Response {
        let id = try NativeMessage.parameter("id", context)
        guard let rules = try await alerts.alertRules(systemID: id) else {
            throw StewardError.notFound("AI system '\(id)' has no alert rules; PUT them to /api/v1/systems/\(id)/alerts/rules.")
        }
        return try NativeMessage.json(RulesBody(rules: WireRules(rules)))
    }

    /// Evaluates the rules now (the scheduler does the same on its interval).
    @Sendable func evaluateAlerts(_ request: Request, context: Context) async throws -> Response {
        let evaluation = try await alerts.evaluateAlerts(systemID: try NativeMessage.parameter("id", context))
        return try NativeMessage.json(
            EvaluationBody(fired: evaluation.fired, resolved: evaluation.resolved, firing: evaluation.firing, deliveries: evaluation.deliveries))
    }

    /// `status=firing` for the firing ones only.
    @Sendable func listAlerts(_ request: Request, context: Context) async throws -> Response {
        let status = try NativeMessage.query("status", request)
        guard status == nil || status == "firing" else {
            throw StewardError.invalidParameter("status takes one value, firing; leave it out for every alert.")
        }
        let firing = status == "firing"
        return try NativeMessage.json(
            AlertsBody(alerts: try await alerts.alerts(systemID: try NativeMessage.parameter("id", context), firingOnly: firing)))
    }

    @Sendable func listDeliveries(_ request: Request, context: Context) async throws -> Response {
        try NativeMessage.json(DeliveriesBody(deliveries: try await webhooks.deliveries(systemID: try NativeMessage.parameter("id", context))))
    }

    struct RulesBody: Encodable { let rules: WireRules }
    struct AlertsBody: Encodable { let alerts: [Alert] }
    struct DeliveriesBody: Encodable { let deliveries: [WebhookDelivery] }

    struct EvaluationBody: Encodable {
        let fired: [Alert]
        let resolved: [Alert]
        let firing: [Alert]
        let deliveries: [WebhookDelivery]
    }

    struct WireRules: Encodable {
        let windowMs: Int64
        let conditions: [String]
        let webhooks: [String]
        let retrainingWebhook: String?
        let document: String

        init(_ rules: AlertRules) {
            windowMs = rules.window
            conditions = rules.conditions.map(\.text)
            webhooks = rules.webhooks.map(\.absoluteString)
            retrainingWebhook = rules.retrainingWebhook?.absoluteString
            document = rules.document
        }
    }

    struct ReferenceMessage: Decodable {
        var dataset: String?
        var version: WireText?
        var runId: String?
        var artifactPath: String?
        var model: String?
        var modelVersion: WireText?
        var features: [String]?
    }

    /// Makes the system's reference from training data: a registered test set (`dataset`, `version` or the
    /// latest) or a CSV/JSON Lines file logged with a run (`artifact_path` in the run `run_id`, or in the run of
    /// the registered `model` version). `model`/`model_version` also records which version the reference is
    /// for; `features` picks columns (default: all).
    @Sendable func replaceReference(_ request: Request, context: Context) async throws -> Response {
        let message = try await NativeMessage.decode(ReferenceMessage.self, from: request)
        let profile = try await references.setReference(
            systemID: try NativeMessage.parameter("id", context),
            from: ReferenceService.Source(
                dataset: message.dataset, version: message.version?.text, runID: message.runId, artifactPath: message.artifactPath,
                model: message.model, modelVersion: message.modelVersion?.text, features: message.features), actor: context.principal)
        return try NativeMessage.json(ReferenceBody(reference: WireReference(profile)))
    }

    @Sendable func showReference(_ request: Request, context: Context) async throws -> Response {
        try NativeMessage.json(
            ReferenceBody(reference: WireReference(try await references.reference(systemID: try NativeMessage.parameter("id", context)))))
    }

    /// `window` as for status; `method` psi (default), kl, jensen_shannon, hellinger, chi_square, wasserstein or
    /// wasserstein_normed (or Evidently's name for one); `threshold`.
    @Sendable func drift(_ request: Request, context: Context) async throws -> Response {
        let window = try AlertRules.duration(try NativeMessage.query("window", request) ?? "24h")
        let methodName = try NativeMessage.query("method", request) ?? "psi"
        guard let method = DriftMethod(named: methodName) else {
            throw StewardError.invalidParameter("Unknown drift method '\(methodName)': use \(DriftMethod.allNames.joined(separator: ", ")).")
        }
        let threshold = try NativeMessage.query("threshold", request).map { text throws in
            guard let value = Double(text), value.isFinite, value >= 0 else { throw StewardError.invalidParameter("threshold must be a number.") }
            return value
        }
        let drift = try await events.drift(
            systemID: try NativeMessage.parameter("id", context), window: window, method: method, threshold: threshold)
        return try NativeMessage.json(
            DriftBody(
                window: DriftWindow(from: drift.from, to: drift.to, events: drift.events, referenceVersion: drift.referenceVersion),
                drift: drift.drift))
    }

    struct ReferenceBody: Encodable { let reference: WireReference }
    struct DriftBody: Encodable {
        let window: DriftWindow
        let drift: DatasetDrift
    }

    /// The window a drift covers (whole buckets) and how many events it holds.
    struct DriftWindow: Encodable {
        let from: Int64
        let to: Int64
        let events: Int
        let referenceVersion: Int64
    }

    struct WireReference: Encodable {
        let systemId: String
        let version: Int64
        let source: String
        let features: [String: FeatureProfile]
        let createdBy: String
        let createdAt: Int64
        let model: String?
        let modelVersion: Int64?

        init(_ profile: ReferenceProfile) {
            model = profile.model?.name
            modelVersion = profile.model?.version
            systemId = profile.systemID
            version = profile.version
            source = profile.source
            features = (profile.features)
            createdBy = profile.createdBy
            createdAt = profile.createdAt
        }
    }

    /// Stores the events in the body (a JSON array, or JSON Lines); answers with how many were accepted, how many
    /// were already stored and every refused row with its reason (only when all rows are refused is it a 400).
    @Sendable func ingest(_ request: Request, context: Context) async throws -> Response {
        let systemID = try NativeMessage.parameter("id", context)
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: Self.maximumBatchBytes)
        let result = try await events.ingest(systemID: systemID, body: Data(buffer: body))
        return try NativeMessage.json(
            IngestBody(
                accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected.count,
                errors: result.rejected.prefix(100).map(WireRejection.init)))
    }

    @Sendable func label(_ request: Request, context: Context) async throws -> Response {
        let systemID = try NativeMessage.parameter("id", context)
        var request = request
        let body = try await MLflowRequest.collectBody(of: &request, maximumBytes: Self.maximumBatchBytes)
        let result = try await events.label(systemID: systemID, body: Data(buffer: body))
        return try NativeMessage.json(
            LabelBody(matched: result.matched, rejected: result.rejected.count, errors: result.rejected.prefix(100).map(WireRejection.init)))
    }

    @Sendable func showSettings(_ request: Request, context: Context) async throws -> Response {
        try NativeMessage.json(SettingsBody(monitoring: try await events.settings(systemID: try NativeMessage.parameter("id", context))))
    }

    struct SettingsMessage: Decodable {
        var retentionDays: Int?
    }

    @Sendable func replaceSettings(_ request: Request, context: Context) async throws -> Response {
        let systemID = try NativeMessage.parameter("id", context)
        let message = try await NativeMessage.decode(SettingsMessage.self, from: request)
        guard let days = message.retentionDays else { throw StewardError.invalidParameter("Missing value for required parameter 'retention_days'.") }
        let settings = MonitoringSettings(retentionDays: days)
        try await events.setSettings(systemID: systemID, settings: settings, actor: context.principal)
        return try NativeMessage.json(SettingsBody(monitoring: settings))
    }

    /// `window` is a duration such as `15m`, `24h` or `7d` (default 24h).
    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let window = try AlertRules.duration(try NativeMessage.query("window", request) ?? "24h")
        let status = try await events.status(systemID: try NativeMessage.parameter("id", context), window: window)
        return try NativeMessage.json(StatusBody(status: status))
    }

    struct IngestBody: Encodable {
        let accepted: Int
        let duplicates: Int
        let rejected: Int
        let errors: [WireRejection]
    }

    struct LabelBody: Encodable {
        let matched: Int
        let rejected: Int
        let errors: [WireRejection]
    }

    struct WireRejection: Encodable {
        let row: Int
        let requestId: String?
        let message: String

        init(_ rejection: EventBatch.Rejection) {
            row = rejection.row
            requestId = rejection.requestID
            message = rejection.message
        }
    }

    struct SettingsBody: Encodable { let monitoring: MonitoringSettings }
    struct StatusBody: Encodable { let status: MonitorStatus }
}
