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

    public init(
        host: String = "127.0.0.1", port: Int = 5000, maximumArtifactBytes: Int64 = 10 << 30, authenticationRequired: Bool? = nil,
        endpointHosts: [String] = []
    ) {
        self.host = host
        self.port = port
        self.maximumArtifactBytes = maximumArtifactBytes
        self.authenticationRequired = authenticationRequired ?? !Self.isLoopback(host)
        self.endpointHosts = EndpointAllowList(hosts: endpointHosts)
    }

    /// Whether `host` only accepts connections from this machine.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
