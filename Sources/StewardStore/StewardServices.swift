import StewardCore

/// The domain services over one storage, wired to its SQL repositories: the one place that composes them, for
/// the server, the command line and the tests alike.
public struct StewardServices: Sendable {
    public let experiments: ExperimentService
    public let runs: RunService
    public let loggedModels: LoggedModelService
    public let registry: ModelRegistryService
    public let identity: IdentityService
    public let governance: GovernanceService
    public let audit: AuditService
    public let evaluations: EvaluationService
    public let monitoring: MonitoringService
    public let artifactRules: ArtifactWriteRules

    /// `authenticationRequired` is the server's `--auth` setting, which decides who may read the audit log.
    /// `notifications` is how alerts are sent (the server's webhook settings); without it rules name no webhooks.
    public init(
        storage: StewardStorage, authenticationRequired: Bool = false, notifications: AlertNotifications? = nil,
        observer: (any MonitoringObserver)? = nil
    ) {
        let runRepository = SQLRunRepository(database: storage.database)
        let loggedModelRepository = SQLLoggedModelRepository(database: storage.database)
        let registryRepository = SQLModelRegistryRepository(database: storage.database)
        let auditRepository = SQLAuditRepository(database: storage.database)
        experiments = ExperimentService(repository: SQLExperimentRepository(database: storage.database))
        runs = RunService(repository: runRepository)
        loggedModels = LoggedModelService(repository: loggedModelRepository, runs: runRepository)
        let evaluationRepository = SQLEvaluationRepository(database: storage.database)
        let integrity = ContentIntegrity(
            registry: registryRepository, reader: ArtifactContentReader(store: storage.artifacts), audit: auditRepository)
        let monitoringRepository = SQLMonitoringRepository(database: storage.database)
        let governance = GovernanceService(
            repository: SQLGovernanceRepository(database: storage.database), audit: auditRepository, registry: registryRepository,
            runs: runRepository, evaluations: evaluationRepository, integrity: integrity, monitoring: monitoringRepository)
        self.governance = governance
        registry = ModelRegistryService(
            repository: registryRepository, runs: runRepository, loggedModels: loggedModelRepository, gate: governance,
            evaluations: evaluationRepository, integrity: integrity)
        artifactRules = ArtifactWriteRules(
            registry: registryRepository, loggedModels: loggedModelRepository, gate: governance, audit: auditRepository)
        identity = IdentityService(repository: SQLIdentityRepository(database: storage.database), audit: auditRepository)
        audit = AuditService(repository: auditRepository, authenticationRequired: authenticationRequired)
        evaluations = EvaluationService(
            repository: evaluationRepository, gate: governance, registry: registryRepository, experiments: experiments, runs: runs,
            audit: auditRepository, policy: { try await governance.policy().policy })
        monitoring = MonitoringService(
            repository: monitoringRepository, audit: auditRepository, notifications: notifications,
            observer: observer)
    }
}
