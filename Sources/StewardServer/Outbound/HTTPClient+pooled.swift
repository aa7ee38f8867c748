import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// A client for the calls the server makes on a request's behalf (to model servers, to LLM providers): on the
    /// process's event loops, pooled (up to 256 connections to a host), never following a redirect (a 3xx is the
    /// answer, so an allowed host cannot bounce a call elsewhere), bodies passed as sent (no decompression), and
    /// with no tracing spans: the server sets up no tracer, and the no-op tracer's span for each request still cost
    /// 1.6% of a gateway call's CPU time (`bench/gateway.py` under `perf`, 16 connections). Never shut down: it
    /// lives as long as the process, as `HTTPClient.shared` does.
    static func pooled(connectTimeout: TimeAmount) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: connectTimeout),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256), decompression: .disabled)
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
