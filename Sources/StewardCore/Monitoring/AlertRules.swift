import Foundation

/// A system's alert rules, in YAML: conditions on the monitored metrics of a window (each one that fails fires
/// an alert in its category), where alerts are sent, and the pipeline to call when the data drifts.
///
/// ```yaml
/// window: 24h
/// every: 5m                      # how often the server checks them (default: its --alert-interval)
/// conditions:
///   - latency_p95_ms <= 200        # performance
///   - accuracy >= 0.8              # quality (joined labels)
///   - cost_per_request_usd <= 0.01 # cost
///   - drift_share < 0.3            # data (needs a reference profile)
///   - flagged_rate <= 0.01         # safety
/// webhooks: [https://hooks.internal/steward]
/// retraining_webhook: https://pipelines.internal/demand/retrain
/// ```
public struct AlertRules: Sendable, Equatable {
    public enum Category: String, Sendable, Codable, CaseIterable {
        case performance, quality, cost, data, safety
    }

    public let window: Int64
    /// How often the background scheduler evaluates these rules (milliseconds); nil: the server's interval.
    public let every: Int64?
    public let conditions: [GateSpec.Condition]
    public let webhooks: [URL]
    public let retrainingWebhook: URL?
    public let document: String

    /// `allowedHosts` nil: the server has no webhook signing secret, so rules that name a webhook are refused for
    /// that reason (before any host is checked).
    public init(yaml document: String, allowedHosts: EndpointAllowList?) throws(StewardError) {
        let root = try BoundedYAML.load(document, what: "The alert rules")
        guard let map = root as? [String: Any] else { throw .invalidParameter("The alert rules must be a YAML mapping with 'conditions'.") }
        let keys = ["window", "every", "conditions", "webhooks", "retraining_webhook"]
        if let unknown = map.keys.sorted().first(where: { !keys.contains($0) }) {
            throw .invalidParameter("Unknown alert rules key '\(unknown)'; the keys are \(keys.joined(separator: ", ")).")
        }
        window = try Self.duration(map["window"].map { "\($0)" } ?? "24h")
        every = try map["every"].map { value throws(StewardError) in
            let every = try Self.duration("\(value)")
            // Each evaluation reads the window's events: not more often than this.
            guard every >= Self.shortestEvery else { throw .invalidParameter("every must be at least 10s.") }
            return every
        }
        guard let texts = map["conditions"] as? [Any], !texts.isEmpty else {
            throw .invalidParameter("conditions must be a non-empty list such as ['latency_p95_ms <= 200'].")
        }
        var conditions: [GateSpec.Condition] = []
        for (index, item) in texts.enumerated() {
            guard let text = item as? String else { throw .invalidParameter("conditions[\(index)] must be a string such as 'error_rate <= 0.05'.") }
            let condition = try GateSpec.condition(text, index: index)
            guard case .constant = condition.bound else { throw .invalidParameter("conditions[\(index)]: alert thresholds are numbers.") }
            guard Self.category(of: condition.metric) != nil else {
                let suggestion = EditDistance.closest(to: condition.metric, among: Self.metricNames).map { ": did you mean '\($0)'?" } ?? "."
                throw .invalidParameter(
                    "conditions[\(index)]: '\(condition.metric)' is not a monitored metric\(suggestion) The metrics are "
                        + Self.metricNames.joined(separator: ", ") + ", and psi.<feature> for one feature's drift.")
            }
            conditions.append(condition)
        }
        self.conditions = conditions
        let hooks = (map["webhooks"] as? [Any] ?? []).map { "\($0)" }
        guard let allowedHosts else {
            guard hooks.isEmpty, map["retraining_webhook"] == nil else {
                throw .invalidParameter(
                    "Webhooks are signed, and this server has no signing secret: start it with STEWARD_WEBHOOK_SECRET set "
                        + "(and each webhook's host allowed with --allow-endpoint-host; see steward serve --help).")
            }
            webhooks = []
            retrainingWebhook = nil
            self.document = document
            return
        }
        webhooks = try hooks.map { text throws(StewardError) in try allowedHosts.check(text) }
        retrainingWebhook = try (map["retraining_webhook"]).map { value throws(StewardError) in try allowedHosts.check("\(value)") }
        self.document = document
    }

    static let shortestEvery: Int64 = 10_000

    /// How many conditions a stored (already validated) rules document holds and whether it names a retraining
    /// webhook: what governance observes of a system's monitoring.
    public static func outline(of document: String) -> (conditions: Int, retrainingWebhook: Bool) {
        guard let map = (try? BoundedYAML.load(document, what: "The alert rules")) as? [String: Any] else { return (0, false) }
        let retraining = map["retraining_webhook"].map { !"\($0)".isEmpty } ?? false
        return ((map["conditions"] as? [Any])?.count ?? 0, retraining)
    }

    /// The category a monitored metric belongs to; nil for names that are not monitored.
    public static func category(of metric: String) -> Category? {
        metric.hasPrefix("psi.") ? .data : categories[metric]
    }

    /// Every metric a condition may name (besides `psi.<feature>`), by category.
    static let categories: [String: Category] = [
        "requests": .performance, "requests_per_minute": .performance, "error_rate": .performance, "latency_p50_ms": .performance,
        "latency_p95_ms": .performance, "latency_p99_ms": .performance,
        "labeled": .quality, "accuracy": .quality, "mae": .quality, "wape": .quality, "negative_feedback_rate": .quality,
        "cost_per_request_usd": .cost, "total_cost_usd": .cost, "tokens_in": .cost, "tokens_out": .cost,
        "drift_share": .data, "drifted_features": .data, "new_categories": .data,
        "flagged": .safety, "flagged_rate": .safety,
    ]

    /// The metric names in the order a reader looks for them.
    static let metricNames: [String] = categories.keys.sorted()

    /// A duration in milliseconds from `<number><s|m|h|d>`.
    public static func duration(_ text: String) throws(StewardError) -> Int64 {
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0, count <= 3650 * 86_400_000 / unit else {
            throw .invalidParameter("A duration is written like 15m, 24h or 7d, not '\(text)'.")
        }
        return count * unit
    }
}

extension MonitorStatus {
    /// The window's figures by the names alert conditions use; a figure with nothing behind it is absent.
    public var metrics: [String: Double] {
        var values: [String: Double] = [
            "requests": Double(performance.requests), "requests_per_minute": performance.requestsPerMinute, "labeled": Double(quality.labeled),
            "total_cost_usd": cost.totalUSD, "tokens_in": Double(cost.tokensIn), "tokens_out": Double(cost.tokensOut),
            "flagged": Double(safety.flagged),
        ]
        let optional: [(String, Double?)] = [
            ("error_rate", performance.errorRate), ("latency_p50_ms", performance.latencyP50Ms), ("latency_p95_ms", performance.latencyP95Ms),
            ("latency_p99_ms", performance.latencyP99Ms), ("accuracy", quality.accuracy), ("mae", quality.meanAbsoluteError), ("wape", quality.wape),
            ("negative_feedback_rate", quality.negativeFeedbackRate), ("cost_per_request_usd", cost.costPerRequestUSD),
            ("flagged_rate", safety.flaggedRate),
        ]
        for (name, value) in optional { if let value { values[name] = value } }
        if let drift = data.drift, !drift.features.isEmpty {
            values["drift_share"] = drift.driftShare
            values["drifted_features"] = Double(drift.driftedFeatures.count)
            values["new_categories"] = Double(drift.features.reduce(0) { $0 + $1.newCategories.count })
            for feature in drift.features where feature.method == .psi { values["psi.\(feature.feature)"] = feature.statistic }
        }
        return values
    }
}
