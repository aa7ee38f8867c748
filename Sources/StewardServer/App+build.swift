import Hummingbird
import Logging
import Prometheus
import StewardCore
import StewardStore

/// Wires the stores, services and routes into the Steward HTTP application. The server's command and the
/// tests call this same function, so what is tested is what runs.
public func buildApplication(
    configuration: ServerConfiguration, storage: StewardStorage, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let metrics = PrometheusCollectorRegistry()
    var application = Application(
        router: buildRouter(storage: storage, configuration: configuration, metrics: metrics),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "Steward"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    application.addServices(storage.database)
    let services = StewardServices(
        storage: storage, authenticationRequired: configuration.authenticationRequired, notifications: configuration.alertNotifications,
        observer: PrometheusMonitoringObserver(registry: metrics))
    if let interval = configuration.alertInterval {
        application.addServices(AlertScheduler(monitoring: services.monitoring, interval: interval, logger: logger))
    } else {
        application.addServices(StoredEventProfiler(monitoring: services.monitoring, logger: logger))
    }
    if configuration.alertNotifications != nil {
        application.addServices(WebhookDispatcher(monitoring: services.monitoring, logger: logger))
    }
    application.beforeServerStarts {
        try await Migrator().migrate(storage.database, logger: logger)
    }
    return application
}

/// The router: MLflow's tracking and registry API under `/api/2.0/mlflow` and `/ajax-api/2.0/mlflow`, the
/// artifact proxy, Steward's own `/api/v1` (model cards, the AI Register, governance, audit, users) and the
/// server-info routes, behind the error and authentication middleware.
public func buildRouter(
    storage: StewardStorage, configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) -> Router<StewardRequestContext> {
    let router = Router(context: StewardRequestContext.self)
    let services = StewardServices(
        storage: storage, authenticationRequired: configuration.authenticationRequired, notifications: configuration.alertNotifications,
        observer: PrometheusMonitoringObserver(registry: metrics))
    router.add(middleware: LogRequestsMiddleware(.debug, redactHeaders: [.authorization]))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AuthenticationMiddleware(identity: services.identity, required: configuration.authenticationRequired))

    let artifacts = ArtifactsController<StewardRequestContext>(
        store: storage.artifacts, runs: services.runs, rules: services.artifactRules, maximumArtifactBytes: configuration.maximumArtifactBytes)

    for prefix in ["api", "ajax-api"] {
        let tracking = router.group(RouterPath("\(prefix)/2.0/mlflow"))
        ExperimentsController(experiments: services.experiments).addRoutes(to: tracking)
        RunsController(runs: services.runs).addRoutes(to: tracking)
        LoggedModelsController(models: services.loggedModels, artifacts: storage.artifacts).addRoutes(to: tracking)
        RegistryController(registry: services.registry).addRoutes(to: tracking)
        artifacts.addTrackingRoutes(to: tracking)
        artifacts.addProxyRoutes(to: router.group(RouterPath("\(prefix)/2.0/mlflow-artifacts")))
    }
    let native = router.group("api/v1")
    ModelsController(registry: services.registry).addRoutes(to: native)
    SystemsController(governance: services.governance, registry: services.registry).addRoutes(to: native)
    IncidentsController(governance: services.governance).addRoutes(to: native)
    PolicyController(governance: services.governance).addRoutes(to: native)
    AuditController(audit: services.audit).addRoutes(to: native)
    UsersController(identity: services.identity).addRoutes(to: native)
    EvaluationsController(
        evaluations: services.evaluations, files: storage.files, maximumBytes: configuration.maximumArtifactBytes,
        endpointHosts: configuration.endpointHosts
    )
    .addRoutes(to: native)
    MonitoringController(
        monitoring: services.monitoring, evaluations: services.evaluations, registry: services.registry, runs: services.runs,
        artifacts: storage.artifacts, files: storage.files
    )
    .addRoutes(to: native)
    ServerInfoController().addRoutes(to: router)
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }
    return router
}
