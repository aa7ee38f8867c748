/// What the register shows of a system beside its models: how it is monitored, its latest evaluation, its
/// deployments, incidents and evidence. Read for a whole page of systems at once (`SystemOverviewRepository`), since each
/// is a handful of small reads that would otherwise be made system by system.
public struct SystemOverview: Sendable, Equatable {
    /// The system's alert rules document, if it has one.
    public var alertRules: String?
    /// The system's latest reference profile: its version and source.
    public var reference: MonitoringFacts.Reference?
    /// The system's latest evaluation, of any of its models.
    public var lastEvaluation: Evaluation?
    /// Whether any evaluation of the system was judged by a gate.
    public var gateEvaluated: Bool
    /// The system's deployments, newest first.
    public var deployments: [Deployment]
    /// The system's incidents, oldest first.
    public var incidents: [Incident]
    /// The evidence records posted for the system, oldest first.
    public var evidence: [Evidence]
    /// Gateway calls of the system refused for a model its entry does not list (shadow AI).
    public var unlistedModelCalls: Int64

    public init(
        alertRules: String? = nil, reference: MonitoringFacts.Reference? = nil, lastEvaluation: Evaluation? = nil, gateEvaluated: Bool = false,
        deployments: [Deployment] = [], incidents: [Incident] = [], evidence: [Evidence] = [], unlistedModelCalls: Int64 = 0
    ) {
        self.unlistedModelCalls = unlistedModelCalls
        self.alertRules = alertRules
        self.reference = reference
        self.lastEvaluation = lastEvaluation
        self.gateEvaluated = gateEvaluated
        self.deployments = deployments
        self.incidents = incidents
        self.evidence = evidence
    }

    /// What Steward observes of the system's monitoring.
    public var monitoring: MonitoringFacts {
        MonitoringFacts(alertRules: alertRules, reference: reference)
    }
}
