import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Hummingbird's HTTP/1.1 connection with the serving fast path (`ServingFastPath`) placed after its connection
/// state handler, so that the idle timeout and graceful shutdown count the requests the fast path answers as they
/// count the router's, and before the router, which answers everything the fast path hands on.
struct ServingChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let fastPath: ServingFastPath.Services

    var responder: HTTPChannelHandler.Responder { http1.responder }

    /// The server of `buildApplication`: HTTP/1.1 with `configuration`, and the fast path.
    static func server(configuration: HTTP1Channel.Configuration, fastPath: ServingFastPath.Services) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ServingChannel(http1: HTTP1Channel(responder: responder, configuration: configuration), fastPath: fastPath)
        }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(
                ServingFastPath(services: fastPath), position: .after(try operations.handler(type: HTTPConnectionStateHandler.self)))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}
