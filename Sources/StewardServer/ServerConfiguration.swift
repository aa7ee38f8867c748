import StewardCore

/// How the HTTP server listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The largest artifact an upload may write.
    public var maximumArtifactBytes: Int64
    /// Whether every request needs an API token. Defaults to on unless the server listens on loopback only.
    public var authenticationRequired: Bool
    /// Hosts of model endpoints evaluations may call; none unless an administrator names them.
    public var endpointHosts: EndpointAllowList
    /// The secret that signs webhook bodies (HMAC-SHA256); alert rules may name webhooks only when it is set.
    public var webhookSecret: String?
    /// How often the alert rules of every system are evaluated; nil evaluates only on request.
    public var alertInterval: Duration?
    /// Pauses between webhook attempts; a notification is given up after the attempt that follows the last.
    public var webhookRetryDelays: [Duration]
    /// The API key judges are called with (from `STEWARD_JUDGE_API_KEY`; never stored).
    public var judgeAPIKey: String?
    /// How long a connection may take to send a request's head, or stay idle between requests, before it is closed.
    public var idleTimeout: Duration
    /// How long a request body may go without sending anything (and, past it, the time after which it must have
    /// averaged at least 1 KiB/s) before its connection is closed.
    public var bodyTimeout: Duration
    /// Connections served at once; further ones wait in the listen backlog until one closes.
    public var maximumConnections: Int
    /// How often live canaries and A/B tests are analysed and decided; nil decides only on request.
    public var deploymentAnalysisInterval: Duration?
    /// How long the deployment router waits for a model server's answer before it answers 504.
    public var servingTimeout: Duration
    /// Where the token of the first admin goes when the store has no user yet (`steward serve` names
    /// `<data>/admin-token`); nil makes no user.
    public var firstAdminTokenFile: String?

    public init(
        host: String = "127.0.0.1", port: Int = 5000, maximumArtifactBytes: Int64 = 10 << 30, authenticationRequired: Bool? = nil,
        endpointHosts: [String] = [], webhookSecret: String? = nil, alertInterval: Duration? = nil,
        webhookRetryDelays: [Duration] = AlertNotifications.defaultRetryDelays, judgeAPIKey: String? = nil,
        idleTimeout: Duration = .seconds(60), bodyTimeout: Duration = .seconds(60), maximumConnections: Int = 4096,
        firstAdminTokenFile: String? = nil, deploymentAnalysisInterval: Duration? = nil, servingTimeout: Duration = .seconds(30)
    ) {
        self.deploymentAnalysisInterval = deploymentAnalysisInterval
        self.servingTimeout = servingTimeout
        self.firstAdminTokenFile = firstAdminTokenFile
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maximumConnections = maximumConnections
        self.judgeAPIKey = judgeAPIKey
        self.webhookSecret = webhookSecret
        self.alertInterval = alertInterval
        self.webhookRetryDelays = webhookRetryDelays
        self.host = host
        self.port = port
        self.maximumArtifactBytes = maximumArtifactBytes
        self.authenticationRequired = authenticationRequired ?? !Self.isLoopback(host)
        self.endpointHosts = EndpointAllowList(hosts: endpointHosts)
    }

    /// How alerts are sent, when a signing secret is set.
    var alertNotifications: AlertNotifications? {
        webhookSecret.map { secret in
            AlertNotifications(sender: NoRedirectHTTPClient(), secret: secret, allowedHosts: endpointHosts, retryDelays: webhookRetryDelays)
        }
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
