/// How the HTTP server listens and what it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The largest artifact an upload may write.
    public var maximumArtifactBytes: Int64

    public init(host: String = "127.0.0.1", port: Int = 5000, maximumArtifactBytes: Int64 = 10 << 30) {
        self.host = host
        self.port = port
        self.maximumArtifactBytes = maximumArtifactBytes
    }
}
