import NIOCore

/// The handler at the end of one keep-alive connection to a model server (or an LLM provider): sends one request at
/// a time as bytes and reads its answer with `ModelServerAnswerReader` (status, content type, body), whole or passed
/// on as it comes, or says why there is none. Lives on the connection's event loop, as do its callers
/// (`ModelServerConnections`).
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

    /// What a request whose answer is passed on as it comes is told, besides how it ended.
    struct Receiver {
        /// The answer's status and content type, once.
        let head: (Int, String?) -> Void
        /// Each piece of its body, as it comes.
        let part: (ByteBuffer) -> Void
    }

    private var context: ChannelHandlerContext?
    private var finish: ((Outcome) -> Void)?
    private var receiver: Receiver?
    private var paused = false
    private var reader = ModelServerAnswerReader(maximumAnswerBytes: 0)
    private var received: ByteBuffer?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Whether the connection can take a request now (open, and no exchange in flight).
    var isReady: Bool { finish == nil && context?.channel.isActive == true }

    /// Posts `body` as JSON to `path`, with `headers` besides the framing ones; `finish` is called once, on the event
    /// loop, with how it ended. With a `receiver`, the answer is passed on as it comes (its outcome's body is then
    /// empty), and reading waits while `pause` holds it.
    func post(
        _ body: ByteBuffer, path: String, host: String, headers: [(String, String)] = [], maximumAnswerBytes: Int, receiver: Receiver? = nil,
        finish: @escaping (Outcome) -> Void
    ) {
        guard let context, context.channel.isActive else {
            finish(.broken("the connection is closed", answerStarted: false))
            return
        }
        self.finish = finish
        self.receiver = receiver
        reader = ModelServerAnswerReader(maximumAnswerBytes: maximumAnswerBytes)
        received = nil
        var head = context.channel.allocator.buffer(capacity: 256 + path.utf8.count + host.utf8.count)
        // Piece by piece: interpolating the head made its strings on every call.
        head.writeStaticString("POST ")
        head.writeString(path)
        head.writeStaticString(" HTTP/1.1\r\nhost: ")
        head.writeString(host)
        head.writeStaticString("\r\ncontent-type: application/json\r\ncontent-length: ")
        head.writeDecimal(body.readableBytes)
        head.writeStaticString("\r\n")
        for (name, value) in headers {
            head.writeString(name)
            head.writeStaticString(": ")
            head.writeString(value)
            head.writeStaticString("\r\n")
        }
        head.writeStaticString("\r\n")
        // Flushed together: one system call.
        context.write(wrapOutboundOut(head), promise: nil)
        context.writeAndFlush(wrapOutboundOut(body), promise: nil)
    }

    /// Stops reading the answer (its receiver takes no more for now) or reads on.
    func pause(_ paused: Bool) {
        guard let context, paused != self.paused else { return }
        self.paused = paused
        _ = context.channel.setOption(ChannelOptions.autoRead, value: !paused)
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
        let progress = reader.read(&received!)
        if let receiver {
            if let head = reader.takeHead() { receiver.head(head.status, head.contentType) }
            if case .needsMore = progress, let part = reader.takeBody() { receiver.part(part) }
        }
        switch progress {
        case .needsMore:
            break
        case .answered(let answer, let reusable):
            if let receiver, answer.body.readableBytes > 0 {
                receiver.part(answer.body)
                end(.answered(.init(status: answer.status, contentType: answer.contentType, body: ByteBuffer()), reusable: reusable))
            } else {
                end(.answered(answer, reusable: reusable))
            }
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
        receiver = nil
        context?.close(promise: nil)
    }

    private func end(_ outcome: Outcome) {
        guard let finish else { return }
        self.finish = nil
        receiver = nil
        pause(false)
        received = nil
        finish(outcome)
    }
}
