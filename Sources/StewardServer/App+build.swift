import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import StewardCore
import StewardStore
import StewardTables

/// The composition root: builds the service graph once over the store and hands it to the routes and to every
/// background service. The server's command, the command line's store commands and the tests call these same
/// functions, so what is tested is what runs. This is the one server file that knows the store.
public func buildApplication(
    configuration: ServerConfiguration, storage: StewardStorage, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let metrics = PrometheusCollectorRegistry()
    let services = StewardServices(storage: storage, configuration: configuration, observer: PrometheusMonitoringObserver(registry: metrics))
    let traffic = ServingTraffic(
        events: services.events, client: ModelServerClient(timeout: TimeAmount(configuration.servingTimeout), allowList: configuration.endpointHosts),
        logger: logger)
    let pools = ModelServerConnectionPools(limits: traffic.client)
    let gatewayCalls = GatewayCalls(services: services, configuration: configuration, traffic: traffic, pools: pools)
    var application = Application(
        router: buildRouter(services: services, configuration: configuration, metrics: metrics, traffic: traffic, gatewayCalls: gatewayCalls),
        server: ServingChannel.server(
            configuration: .init(
                additionalChannelHandlers: [SlowBodyGuard(timeout: TimeAmount(configuration.bodyTimeout)), ClientDepartureGuard()],
                idleTimeout: TimeAmount(configuration.idleTimeout)),
            fastPath: ServingFastPath.Services(
                deployments: services.deployments, traffic: traffic, authenticationRequired: configuration.authenticationRequired,
                largestBody: 1 << 20,
                connections: pools, idleTimeout: TimeAmount(configuration.idleTimeout), bodyTimeout: TimeAmount(configuration.bodyTimeout),
                gateway: gatewayCalls)),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "Steward",
            availableConnectionsDelegate: MaximumAvailableConnections(configuration.maximumConnections)),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    application.addServices(storage.database)
    // Nothing touches the database before its schema is up to date: the background services wait for this.
    let schema = SchemaReadiness()
    var background: [any Service] = []
    if let interval = configuration.alertInterval {
        background.append(AlertScheduler(events: services.events, alerts: services.alerts, schema: schema, interval: interval, logger: logger))
    } else {
        background.append(StoredEventProfiler(events: services.events, schema: schema, logger: logger))
    }
    background.append(traffic)
    background.append(GatewaySpendWriter(gateway: services.gateway, schema: schema, interval: .milliseconds(50), logger: logger))
    if let interval = configuration.deploymentAnalysisInterval {
        background.append(DeploymentAnalyzer(deployments: services.deployments, traffic: traffic, schema: schema, interval: interval, logger: logger))
    }
    if configuration.alertNotifications != nil {
        background.append(WebhookDispatcher(webhooks: services.webhooks, schema: schema, logger: logger))
    }
    application.addServices(BackgroundServices(services: background))
    application.beforeServerStarts {
        try await Migrator().migrate(storage.database, logger: logger)
        if let file = configuration.firstAdminTokenFile {
            try await FirstAdminToken(file: file).createIfNoUser(identity: services.identity, logger: logger)
        }
        await schema.open()
    }
    return application
}

extension StewardServices {
    /// Every service over the store's SQL repositories and artifact folders, composed once. `configuration` is the
    /// server's (authentication, webhook signing, allowed hosts, upload limit); the command line passes the default.
    /// `notifications` replaces the configuration's webhook sending and `now` every service's clock (tests script
    /// both).
    public init(
        storage: StewardStorage, configuration: ServerConfiguration = ServerConfiguration(), observer: (any MonitoringObserver)? = nil,
        notifications: AlertNotifications? = nil, now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        let database = storage.database
        let runRepository = SQLRunRepository(database: database)
        let loggedModelRepository = SQLLoggedModelRepository(database: database)
        let registryRepository = SQLModelRegistryRepository(database: database)
        let auditRepository = SQLAuditRepository(database: database)
        let evaluationRepository = SQLEvaluationRepository(database: database)
        let systems = SQLSystemRepository(database: database)
        let approvalRepository = SQLApprovalRepository(database: database)
        let incidentRepository = SQLIncidentRepository(database: database)
        let referenceRepository = SQLReferenceRepository(database: database)
        let deploymentRepository = SQLDeploymentRepository(database: database)
        let alertRepository = SQLAlertRepository(database: database)
        let tables = TableFileReader()
        let files = ArtifactFileStore(store: storage.files)

        experiments = ExperimentService(repository: SQLExperimentRepository(database: database), now: now)
        runs = RunService(repository: runRepository, now: now)
        loggedModels = LoggedModelService(repository: loggedModelRepository, runs: runRepository, now: now)
        identity = IdentityService(repository: SQLIdentityRepository(database: database), audit: auditRepository, now: now)
        audit = AuditService(repository: auditRepository, authenticationRequired: configuration.authenticationRequired, now: now)
        let integrity = ContentIntegrity(
            registry: registryRepository, reader: ArtifactContentReader(store: storage.artifacts), audit: auditRepository, now: now)
        policies = PolicyService(repository: SQLPolicyRepository(database: database), audit: auditRepository, now: now)
        let facts = DecisionFacts(
            approvals: approvalRepository, registry: registryRepository, runs: runRepository, evaluations: evaluationRepository,
            references: referenceRepository, alerts: alertRepository, deployments: deploymentRepository, now: now)
        promotion = PromotionDecision(
            systems: systems, policies: policies, facts: facts, registry: registryRepository, integrity: integrity, audit: auditRepository, now: now)
        register = RegisterService(
            systems: systems, policies: policies, facts: facts, approvals: approvalRepository, registry: registryRepository,
            evaluations: evaluationRepository, overviews: SQLSystemOverviewRepository(database: database), audit: auditRepository, now: now)
        approvals = ApprovalService(
            repository: approvalRepository, systems: systems, gate: promotion, registry: registryRepository, integrity: integrity,
            audit: auditRepository, now: now)
        incidents = IncidentService(repository: incidentRepository, systems: systems, registry: registryRepository, audit: auditRepository, now: now)
        registry = ModelRegistryService(
            repository: registryRepository, runs: runRepository, loggedModels: loggedModelRepository, gate: promotion,
            evaluations: evaluationRepository, experiments: SQLExperimentRepository(database: database), integrity: integrity, now: now)
        artifacts = ArtifactService(
            store: storage.artifacts,
            rules: ArtifactWriteRules(
                registry: registryRepository, loggedModels: loggedModelRepository, gate: promotion, audit: auditRepository, now: now),
            runs: runRepository, loggedModels: loggedModelRepository, maximumBytes: configuration.maximumArtifactBytes)
        let testSets = TestSets(repository: evaluationRepository, files: files, tables: tables, audit: auditRepository, now: now)
        let policies = policies
        evaluations = EvaluationService(
            repository: evaluationRepository, gate: promotion, registry: registryRepository, experiments: experiments, runs: runs,
            audit: auditRepository, policy: { try await policies.policy().policy },
            orders: EvaluationOrders(
                testSets: testSets, tables: tables, outbound: HTTPModelServices(judgeAPIKey: configuration.judgeAPIKey),
                allowList: configuration.endpointHosts, maximumUploadBytes: configuration.maximumArtifactBytes), now: now)
        let cache = ReferenceCache()
        events = EventService(
            repository: SQLEventRepository(database: database), references: referenceRepository, cache: cache, audit: auditRepository,
            observer: observer, now: now)
        references = ReferenceService(
            repository: referenceRepository, cache: cache, testSets: testSets, runArtifacts: ArtifactFileStore(store: storage.artifacts),
            registry: registryRepository, runs: runRepository, tables: tables, now: now)
        webhooks = WebhookService(
            repository: SQLWebhookOutbox(database: database), notifications: notifications ?? configuration.alertNotifications, now: now)
        alerts = AlertService(repository: alertRepository, events: events, webhooks: webhooks, audit: auditRepository, observer: observer, now: now)
        deployments = DeploymentService(
            repository: deploymentRepository, systems: systems, registry: registry, versions: registryRepository,
            promotion: promotion, incidents: incidents, alerts: alertRepository,
            notifications: (notifications ?? configuration.alertNotifications) != nil,
            audit: auditRepository, allowList: configuration.endpointHosts, now: now)
        gateway = GatewayService(
            repository: SQLGatewayRepository(database: database), systems: systems, audit: auditRepository, allowList: configuration.endpointHosts,
            prompts: registry, promotion: promotion, now: now)
    }
}
