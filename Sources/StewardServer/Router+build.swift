import Hummingbird
import Logging
import Prometheus
import StewardCore

/// The router over the service graph: MLflow's tracking and registry API under `/api/2.0/mlflow` and
/// `/ajax-api/2.0/mlflow` and its artifact proxy, Steward's own `/api/v1` (model cards, the AI Register,
/// governance, evaluations, monitoring, audit, users), the server-info routes and `/metrics`, behind the
/// authentication middleware. Each API surface renders its own errors (`ErrorMiddleware` on its group); the
/// router's renders what matches no route and what the authentication middleware refuses.
public func buildRouter(
    services: StewardServices, configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) -> Router<StewardRequestContext> {
    let traffic = ServingTraffic(events: services.events, logger: Logger(label: "steward.serving"))
    return buildRouter(
        services: services, configuration: configuration, metrics: metrics, traffic: traffic,
        gatewayCalls: GatewayCalls(services: services, configuration: configuration, traffic: traffic, pools: nil))
}

extension GatewayCalls {
    /// The gateway's calls over the service graph: one per server, shared by the router's `/v1` routes and the
    /// serving fast path, so that both answer from one cache; providers at plain `http://` URLs are called over
    /// `pools`' connections when given.
    init(services: StewardServices, configuration: ServerConfiguration, traffic: ServingTraffic, pools: ModelServerConnectionPools?) {
        self.init(
            gateway: services.gateway, client: LLMProviderClient(allowList: configuration.endpointHosts, pools: pools), traffic: traffic,
            logger: Logger(label: "steward.gateway"), cache: GatewayAnswerCache(), events: services.events)
    }
}

/// The router with the serving path's background work (`ServingTraffic`) that the application runs as a service, and
/// the gateway's calls it shares with the serving fast path.
func buildRouter(
    services: StewardServices, configuration: ServerConfiguration, metrics: PrometheusCollectorRegistry, traffic: ServingTraffic,
    gatewayCalls: GatewayCalls
) -> Router<StewardRequestContext> {
    let router = Router(context: StewardRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug, redactHeaders: [.authorization]))
    router.add(
        middleware: ErrorMiddleware(render: MLflowResponse.error, surfaces: [("/v1/", OpenAIError.render), ("/api/v1/", NativeMessage.error)]))
    router.add(middleware: AuthenticationMiddleware(identity: services.identity, required: configuration.authenticationRequired))

    let artifacts = ArtifactsController<StewardRequestContext>(artifacts: services.artifacts)
    for prefix in ["api", "ajax-api"] {
        let tracking = router.group(RouterPath("\(prefix)/2.0/mlflow")).add(middleware: ErrorMiddleware(render: MLflowResponse.error))
        ExperimentsController(experiments: services.experiments).addRoutes(to: tracking)
        RunsController(runs: services.runs).addRoutes(to: tracking)
        LoggedModelsController(models: services.loggedModels, artifacts: services.artifacts).addRoutes(to: tracking)
        RegistryController(registry: services.registry).addRoutes(to: tracking)
        artifacts.addTrackingRoutes(to: tracking)
        artifacts.addProxyRoutes(
            to: router.group(RouterPath("\(prefix)/2.0/mlflow-artifacts")).add(middleware: ErrorMiddleware(render: MLflowResponse.error)))
    }
    let native = router.group("api/v1").add(middleware: ISOTimesMiddleware()).add(middleware: ErrorMiddleware(render: NativeMessage.error))
    OpenAPIController<StewardRequestContext>().addRoutes(to: native)
    ModelsController(registry: services.registry).addRoutes(to: native)
    SystemsController(register: services.register, approvals: services.approvals, promotion: services.promotion, registry: services.registry)
        .addRoutes(to: native)
    IncidentsController(incidents: services.incidents, register: services.register).addRoutes(to: native)
    PolicyController(policies: services.policies).addRoutes(to: native)
    AuditController(audit: services.audit).addRoutes(to: native)
    UsersController(identity: services.identity).addRoutes(to: native)
    EvaluationsController(evaluations: services.evaluations, completions: GatewayPromptCompletions(calls: gatewayCalls)).addRoutes(to: native)
    MonitoringController(events: services.events, references: services.references, alerts: services.alerts, webhooks: services.webhooks)
        .addRoutes(to: native)
    DeploymentsController(deployments: services.deployments, traffic: traffic).addRoutes(to: native)
    GatewayAdminController(gateway: services.gateway).addRoutes(to: native)
    ServingController(deployments: services.deployments, traffic: traffic).addRoutes(to: router)
    GatewayController(calls: gatewayCalls)
        .addRoutes(to: router.group("v1").add(middleware: ErrorMiddleware(render: OpenAIError.render)))
    ServerInfoController().addRoutes(to: router)
    UIController(services: services, renderer: PageRenderer()).addRoutes(to: router, authenticationRequired: configuration.authenticationRequired)
    router.route(.get, "metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }
    return router
}
