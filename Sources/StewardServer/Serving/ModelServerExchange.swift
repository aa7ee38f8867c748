import NIOCore
import NIOHTTP1

/// The handler at the end of one keep-alive connection to a model server: sends one scoring request at a time and
/// gathers its answer (status, content type, body), or says why there is none. Lives on the connection's event
/// loop, as do its callers (`ModelServerConnections`).
final class ModelServerExchange: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// How an exchange ended.
    enum Outcome {
        /// The whole answer; `reusable` when the connection may carry another request.
        case answered(ModelServerClient.Answer, reusable: Bool)
        /// The connection broke or was closed before the answer was whole; `answerStarted` when any of it came.
        case broken(String, answerStarted: Bool)
        /// The answer was larger than the exchange accepts.
        case tooLarge
    }

    private var context: ChannelHandlerContext?
    private var finish: ((Outcome) -> Void)?
    private var maximumAnswerBytes = 0
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Whether the connection can take a request now (open, and no exchange in flight).
    var isReady: Bool { finish == nil && context?.channel.isActive == true }

    /// Posts `body` as JSON to `path`; `finish` is called once, on the event loop, with how it ended.
    func post(
        _ body: ByteBuffer, path: String, host: String, maximumAnswerBytes: Int, finish: @escaping (Outcome) -> Void
    ) {
        guard let context, context.channel.isActive else {
            finish(.broken("the connection is closed", answerStarted: false))
            return
        }
        self.finish = finish
        self.maximumAnswerBytes = maximumAnswerBytes
        head = nil
        self.body = nil
        var request = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        request.headers.reserveCapacity(3)
        request.headers.add(name: "Host", value: host)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Content-Length", value: String(body.readableBytes))
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard finish != nil else { return }
        switch unwrapInboundIn(data) {
        case .head(let answer):
            head = answer
        case .body(var chunk):
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maximumAnswerBytes {
                end(.tooLarge)
                context.close(promise: nil)
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            let answer = ModelServerClient.Answer(
                status: Int(head.status.code), contentType: head.headers.first(name: "Content-Type"),
                body: body ?? context.channel.allocator.buffer(capacity: 0))
            end(.answered(answer, reusable: head.isKeepAlive))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(.broken("the model server closed the connection", answerStarted: head != nil))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(.broken(String(describing: error), answerStarted: head != nil))
        context.close(promise: nil)
    }

    /// Abandons the exchange in flight (its deadline passed): the connection is closed and `finish` not called.
    func abandon() {
        finish = nil
        context?.close(promise: nil)
    }

    private func end(_ outcome: Outcome) {
        guard let finish else { return }
        self.finish = nil
        head = nil
        body = nil
        finish(outcome)
    }
}
