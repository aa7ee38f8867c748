import StewardCore

/// The service graph: every domain service, built once per process over one store by the composition root
/// (`StewardServices.init(storage:configuration:observer:)` in App+build.swift, the one server file that knows the
/// store) and shared by the routes, the background services and the command line.
public struct StewardServices: Sendable {
    public let experiments: ExperimentService
    public let runs: RunService
    public let loggedModels: LoggedModelService
    public let registry: ModelRegistryService
    public let artifacts: ArtifactService
    public let identity: IdentityService
    public let audit: AuditService
    public let register: RegisterService
    public let policies: PolicyService
    public let approvals: ApprovalService
    public let incidents: IncidentService
    /// The one promotion decision every path to production goes through.
    public let promotion: PromotionDecision
    public let evaluations: EvaluationService
    public let events: EventService
    public let references: ReferenceService
    public let alerts: AlertService
    public let webhooks: WebhookService
    public let deployments: DeploymentService
    public let gateway: GatewayService
}
