import NIOCore

/// The handler at the end of one keep-alive connection to a model server: sends one scoring request at a time as
/// bytes and reads its answer with `ModelServerAnswerReader` (status, content type, body), or says why there is
/// none. Lives on the connection's event loop, as do its callers (`ModelServerConnections`).
final class ModelServerExchange: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

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
    private var reader = ModelServerAnswerReader(maximumAnswerBytes: 0)
    private var received: ByteBuffer?

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
        reader = ModelServerAnswerReader(maximumAnswerBytes: maximumAnswerBytes)
        received = nil
        var head = context.channel.allocator.buffer(capacity: 96 + path.utf8.count + host.utf8.count)
        head.writeString("POST \(path) HTTP/1.1\r\nhost: \(host)\r\ncontent-type: application/json\r\ncontent-length: \(body.readableBytes)\r\n\r\n")
        context.write(wrapOutboundOut(head), promise: nil)
        context.writeAndFlush(wrapOutboundOut(body), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard finish != nil else {
            // Bytes nobody asked for (a model server that sent more than its answer): the connection's framing
            // cannot be trusted with another request.
            context.close(promise: nil)
            return
        }
        var bytes = unwrapInboundIn(data)
        if received == nil || received?.readableBytes == 0 {
            received = bytes
        } else {
            received?.writeBuffer(&bytes)
        }
        switch reader.read(&received!) {
        case .needsMore:
            break
        case .answered(let answer, let reusable):
            end(.answered(answer, reusable: reusable))
        case .malformed(let reason):
            end(.broken(reason, answerStarted: true))
            context.close(promise: nil)
        case .tooLarge:
            end(.tooLarge)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch reader.closed() {
        case .answered(let answer, _): end(.answered(answer, reusable: false))
        default: end(.broken("the model server closed the connection", answerStarted: reader.started))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(.broken(String(describing: error), answerStarted: reader.started))
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
        received = nil
        finish(outcome)
    }
}
