import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1.1 connection with the serving fast path (`ServingFastPath`) in front of its HTTP codec.
/// The fast path answers the scoring requests and gateway calls it can take from the connection's bytes and hands
/// the connection to the codec and the router at the first it cannot. Until then it keeps the idle timeout and
/// graceful shutdown itself, so the connection-state handler starts without a timeout and gets its own at the
/// hand-over.
struct ServingChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    /// The same connection with no idle timeout in its connection-state handler, for connections the fast path
    /// starts.
    let untimedHTTP1: HTTP1Channel
    let fastPath: ServingFastPath.Services

    var responder: HTTPChannelHandler.Responder { http1.responder }

    /// The server of `buildApplication`: HTTP/1.1 with `configuration`, and the fast path.
    static func server(configuration: HTTP1Channel.Configuration, fastPath: ServingFastPath.Services) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            var untimed = configuration
            untimed.idleTimeout = nil
            return ServingChannel(
                http1: HTTP1Channel(responder: responder, configuration: configuration),
                untimedHTTP1: HTTP1Channel(responder: responder, configuration: untimed),
                fastPath: fastPath)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let idleTimeout = http1.configuration.idleTimeout
        return untimedHTTP1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let fastPath = ServingFastPath(services: fastPath) { context in
                let pipeline = context.pipeline.syncOperations
                let untimed = try pipeline.context(handlerType: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(
                    HTTPConnectionStateHandler(idleTimeout: idleTimeout.map { Duration($0) }, logger: logger), position: .after(untimed.handler))
                pipeline.removeHandler(context: untimed, promise: nil)
            }
            try channel.pipeline.syncOperations.addHandler(fastPath, position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
