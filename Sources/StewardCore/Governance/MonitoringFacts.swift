/// What Steward observes of a system's monitoring, which the monitoring and retraining controls and the maturity
/// level read: facts, not declarations.
public struct MonitoringFacts: Sendable, Equatable {
    /// The latest reference profile: its version and where it came from.
    public struct Reference: Sendable, Equatable {
        public let version: Int64
        public let source: String

        public init(version: Int64, source: String) {
            self.version = version
            self.source = source
        }
    }

    public var reference: Reference?
    /// How many conditions the system's alert rules hold (0 without rules).
    public var alertConditions: Int
    public var retrainingWebhook: Bool

    public init(reference: Reference? = nil, alertConditions: Int = 0, retrainingWebhook: Bool = false) {
        self.reference = reference
        self.alertConditions = alertConditions
        self.retrainingWebhook = retrainingWebhook
    }

    /// The facts of a system with the stored (already validated) alert rules document `alertRules`, if any, and
    /// the latest reference profile `reference`.
    public init(alertRules: String?, reference: Reference?) {
        let outline = alertRules.map(AlertRules.outline) ?? (conditions: 0, retrainingWebhook: false)
        self.init(reference: reference, alertConditions: outline.conditions, retrainingWebhook: outline.retrainingWebhook)
    }

    /// Monitored: data drift can be measured (a reference) and something watches the metrics (alert rules).
    public var isMonitored: Bool { reference != nil && alertConditions > 0 }

    /// The facts as a control's detail states them.
    public var described: String {
        let reference = reference.map { "reference profile v\($0.version) (\($0.source))" } ?? "no reference profile"
        let rules = alertConditions == 0 ? "no alert rules" : "\(alertConditions) alert rule\(alertConditions == 1 ? "" : "s")"
        return "observed: \(reference), \(rules)"
    }
}
