import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import StewardCore

/// The serving route's fast path: the first handler of each HTTP/1.1 connection, which answers
/// `POST /serve/{system}/invocations` from the connection's bytes on its own event loop, forwarding the body to
/// the arm's model server over a pooled connection of the same loop (`ModelServerConnections`), with no HTTP
/// codec, no task and no thread hop per request. It does what `ServingController` does (the same assignment,
/// headers, events and shadow copies).
///
/// It also takes the LLM gateway's calls (`POST /v1/chat/completions` and `POST /v1/embeddings` with a bearer key):
/// each runs in a task, started on the connection's loop, exactly as the router's `/v1` routes run it
/// (`GatewayCalls.answer`: the same rules, cache, budgets, events and OpenAI-shaped errors), and its answer is
/// written here, whole or chunk by chunk as the provider streams (`FastPathBodyWriter`), without the HTTP codec,
/// the router and their async channel. Measured with bench/gateway.py (release builds, 16 connections, alternated
/// runs on one host): 4,015 → 5,780 streams and 7,139 → 7,250 answers a second, and at one connection +0.41 →
/// +0.29 ms at p50 for answers, +1.06 → +0.90 ms to the first streamed chunk.
///
/// A connection starts here. At the first request this path does not take whole, it hands the connection over
/// for good: the bytes not yet answered go, as they came, to NIO's HTTP codec and the router, this handler leaves
/// the pipeline, and Hummingbird's connection-state handler (idle timeout, graceful shutdown) takes over from a
/// fresh start. Handed over are:
///
/// - anything `ServingRequestHead` does not read (another route, a scoring request with credentials or while
///   authentication is required, `Expect`, chunked bodies, unusual headers) or whose body is larger than
///   `largestBody` (parsed on an event loop it would hold up the loop's other connections);
/// - a system with no live deployment, or an unknown one (the router words the 404);
/// - a body that is not a valid scoring request (the router words the 400), or an arm whose endpoint is not plain
///   `http://`.
///
/// The live deployment comes from memory while the store vouches for it (`DeploymentService.knownLive`), else
/// from the store, asked from a task (PostgreSQL always, SQLite after a deployment changed).
///
/// While it answers, it does what the connection-state handler would: it closes a connection idle for
/// `idleTimeout` and, at graceful shutdown, closes it once the answer owed is written; a client that closes its
/// sending side gets the answers to its complete scoring requests before the connection closes (a gateway call
/// under way is cancelled, as on the router's path). What it held back of these (a shutdown asked for, the
/// client's end of sending) goes to the router's handlers at the hand-over.
///
/// Measured with bench/router.py on 2 cores (release build, 16 connections, every request recorded): the router's
/// path served 4,100 requests a second (a task, an async HTTP client call and their hops per request); this path
/// inside the HTTP codec's pipeline 4,700–5,100 on a busy host, and reading the bytes itself, in front of the
/// codec, 6,000–7,600 on the same host (six alternated pairs of runs).
final class ServingFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// What every connection's fast path shares.
    struct Services: Sendable {
        let deployments: DeploymentService
        let traffic: ServingTraffic
        /// With authentication on, scoring requests are the router's (its middleware reads the credentials); gateway
        /// calls carry their own key and stay here.
        let authenticationRequired: Bool
        /// Larger bodies go to the router: parsing them here would hold up every connection of the event loop.
        let largestBody: Int
        let connections: ModelServerConnectionPools
        let idleTimeout: TimeAmount
        /// How long a request's body may take to come whole once its head has come (the router's slow-body guard's
        /// timeout).
        let bodyTimeout: TimeAmount
        /// The LLM gateway's calls, shared with the router's `/v1` routes (and their answer cache).
        let gateway: GatewayCalls?
    }

    let services: Services
    /// Installs the connection-state handler with its idle timeout, when the connection is handed over.
    private let handOverState: (ChannelHandlerContext) throws -> Void
    /// What the client sent that is not answered yet.
    private var received: ByteBuffer?
    /// An answer is owed (the model server is asked, or the live deployment looked up).
    private var answering = false
    /// The connection goes to the HTTP codec once the answer owed is written.
    private var handingOver = false
    /// Graceful shutdown: close once the answer owed is written.
    private var closeAfterAnswer = false
    /// The client closed its sending side: the complete requests received are answered, then the connection closes.
    private var inputClosed = false
    private var readPending = false
    private var idleTimer: Scheduled<Void>?
    /// Runs while a request's body is incomplete (`awaitBody`).
    private var bodyTimer: Scheduled<Void>?
    /// When the client last sent bytes or was answered; the idle timeout counts from here.
    private var lastActivity = NIODeadline.now()
    private var connections: ModelServerConnections?
    private var date = (second: 0, text: "")
    /// The gateway call under way, cancelled if the client goes away.
    private var gatewayCall: Task<Void, Never>?
    /// A streamed answer's head is written and its end is not.
    private var streaming = false
    /// Gateway calls made on this connection: a stream's end names its call.
    private var callsMade = 0
    private var flushQueued = false

    init(services: Services, handOverState: @escaping (ChannelHandlerContext) throws -> Void) {
        self.services = services
        self.handOverState = handOverState
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections = services.connections.connections(on: context.eventLoop)
        scheduleIdleTimeout(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopIdleTimeout()
        stopBodyTimeout()
        gatewayCall?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopIdleTimeout()
        stopBodyTimeout()
        gatewayCall?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        var bytes = unwrapInboundIn(data)
        if received == nil || received?.readableBytes == 0 {
            received = bytes
        } else {
            received?.writeBuffer(&bytes)
        }
        if !answering { takeRequests(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if mayRead(context: context) {
            context.read()
        } else {
            readPending = true
        }
    }

    /// Whether the client's next bytes are read now. Not while it does not take what it was sent, nor while an
    /// answer is owed and `unansweredLimit` bytes of its next requests are waiting: beyond that they wait in the
    /// socket, not in memory. Reads go on while an answer is owed because holding each one back until the answer
    /// was written made NIO take the socket out of the loop's read interest and put it back: two `epoll_ctl`
    /// calls per request (`strace -c` under bench/router.py's load: 21,746 for 10,747 requests).
    private func mayRead(context: ChannelHandlerContext) -> Bool {
        context.channel.isWritable && (!answering || (received?.readableBytes ?? 0) < Self.unansweredLimit)
    }

    /// How many bytes of a client's next requests are read while an answer is owed.
    static let unansweredLimit = 64 * 1024

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable { resumeReading(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            if answering {
                closeAfterAnswer = true
            } else {
                context.close(promise: nil)
            }
        case ChannelEvent.inputClosed:
            // Passed on now, it would end the router's side of the connection and close it before the answers
            // owed here are written.
            inputClosed = true
            // A gateway call's client that ends its side before its answer has gone away: its call ends, as on the
            // router's path (`ClientDepartureGuard`); a stream already answering goes on to its end, as there.
            if !streaming { gatewayCall?.cancel() }
            if !answering { takeRequests(context: context) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Answers the complete requests received, one at a time, in order; once the client closed its sending side
    /// and nothing complete is left, closes the connection.
    private func takeRequests(context: ChannelHandlerContext) {
        guard !answering, let bytes = received, bytes.readableBytes > 0 else {
            if inputClosed && !answering && !handingOver { close(after: ByteBuffer(), context: context) }
            return
        }
        if handingOver {
            handOver(context: context)
            return
        }
        let reading = bytes.withUnsafeReadableBytes { ServingRequestHead.read($0) }
        switch reading {
        case .incomplete:
            if inputClosed { handOver(context: context) }
        case .unsupported:
            handOver(context: context)
        case .head(let head):
            guard head.contentLength <= services.largestBody else {
                handOver(context: context)
                return
            }
            if case .serve = head.route, services.authenticationRequired {
                handOver(context: context)
                return
            }
            guard bytes.readableBytes >= head.length + head.contentLength else {
                if inputClosed { handOver(context: context) } else { awaitBody(context: context) }
                return
            }
            stopBodyTimeout()
            switch head.route {
            case .serve(let system):
                switch services.deployments.knownLive(system: system) {
                case .some(.some(let deployment)):
                    serve(head, deployment: deployment, context: context)
                case .some(.none):
                    handOver(context: context)
                case .none:
                    lookUp(head, system: system, context: context)
                }
            case .gateway(let kind):
                guard let calls = services.gateway, let key = head.key else {
                    handOver(context: context)
                    return
                }
                call(kind, key: key, head: head, calls: calls, context: context)
            }
        }
    }

    /// Waits for the rest of a request's body for at most `bodyTimeout` from when its head came, then hands the
    /// connection over with the body still coming: the router's slow-body guard then holds it to a minimum rate,
    /// so that a body sent a byte now and then (each read moving the idle timeout on) cannot hold the connection.
    private func awaitBody(context: ChannelHandlerContext) {
        guard bodyTimer == nil else { return }
        bodyTimer = context.eventLoop.assumeIsolated().scheduleTask(in: services.bodyTimeout) {
            self.bodyTimer = nil
            if !self.answering { self.handOver(context: context) }
        }
    }

    private func stopBodyTimeout() {
        bodyTimer?.cancel()
        bodyTimer = nil
    }

    /// Asks the store for the system's live deployment, then serves the request or hands the connection over.
    private func lookUp(_ head: ServingRequestHead, system: String, context: ChannelHandlerContext) {
        answering = true
        let deployments = services.deployments
        context.eventLoop.makeFutureWithTask { try await deployments.live(system: system) }.assumeIsolated().whenComplete {
            result in
            self.answering = false
            guard context.channel.isActive else { return }
            if case .success(.some(let deployment)) = result {
                self.serve(head, deployment: deployment, context: context)
            } else {
                self.handOver(context: context)
            }
            self.resumeReading(context: context)
        }
    }

    private func serve(_ head: ServingRequestHead, deployment: Deployment, context: ChannelHandlerContext) {
        guard let connections, var bytes = received else { return }
        let body = bytes.getSlice(at: bytes.readerIndex + head.length, length: head.contentLength) ?? ByteBuffer()
        guard let payload = try? PyfuncPayload(Data(buffer: body, byteTransferStrategy: .noCopy)), let split = try? deployment.split(),
            case let unit = ServingTraffic.unit(header: head.unit, payload: payload, deployment: deployment),
            case let arm = deployment.arms[split.arm(unit: unit)], let endpoint = connections.endpoint(arm.endpoint)
        else {
            handOver(context: context)
            return
        }
        bytes.moveReaderIndex(forwardBy: head.length + head.contentLength)
        received = bytes.readableBytes > 0 ? bytes : nil
        answering = true
        let requestID = ServingTraffic.requestID(header: head.requestID)
        let traffic = services.traffic
        let start = ContinuousClock.now
        connections.post(body, to: endpoint) { result in
            traffic.record(result, arm: arm, of: deployment, requestID: requestID, unit: unit, rows: payload.rows, since: start)
            traffic.shadow(deployment, body: body, requestID: requestID, unit: unit, rows: payload.rows)
            self.respond(ServedAnswer(result, arm: arm, requestID: requestID), closing: head.closing, context: context)
        }
    }

    /// Runs a gateway call as the router's route runs it (`GatewayCalls.answer`), in a task, and writes its answer
    /// here: whole, or as chunks while the provider streams. A client that goes away cancels the task, and with it
    /// the provider's call, as `AbandonedCalls` does on the router's path.
    private func call(_ kind: GatewayCall.Kind, key: String, head: ServingRequestHead, calls: GatewayCalls, context: ChannelHandlerContext) {
        guard var bytes = received else { return }
        let body = bytes.getSlice(at: bytes.readerIndex + head.length, length: head.contentLength) ?? ByteBuffer()
        bytes.moveReaderIndex(forwardBy: head.length + head.contentLength)
        received = bytes.readableBytes > 0 ? bytes : nil
        answering = true
        callsMade += 1
        let number = callsMade
        let started = ContinuousClock.now
        let time = EpochClock.now()
        let loop = context.eventLoop
        let connection = NIOLoopBound((handler: self, context: context), eventLoop: loop)
        /// Runs `body` on the loop: at once when the task is on it (so that writes keep their order), else queued.
        @Sendable func onLoop(_ body: @escaping @Sendable (ServingFastPath, ChannelHandlerContext) -> Void) {
            if loop.inEventLoop {
                body(connection.value.handler, connection.value.context)
            } else {
                loop.execute { body(connection.value.handler, connection.value.context) }
            }
        }
        let closing = head.closing
        gatewayCall = Task {
            let outcome: GatewayCalls.Outcome
            do {
                let caller = try await calls.gateway.caller(key: key)
                outcome = try await calls.answer(
                    kind, caller: caller, body: body, requestIDHeader: head.requestID, unitHeader: head.unit, cacheControl: head.cacheControl,
                    started: started, time: time)
            } catch is CancellationError {
                onLoop { handler, context in handler.callEnded(context: context) }
                return
            } catch {
                let refusal = error as? StewardError ?? StewardError(.internalError, "An internal error occurred; it has been logged.")
                if refusal.code == .internalError {
                    calls.logger.error("Internal error", metadata: ["error": "\(String(reflecting: error))", "path": "/v1"])
                }
                let (status, headers, body) = OpenAIError.answer(refusal)
                onLoop { handler, context in handler.respond(status: status, headers: headers, body: body, closing: closing, context: context) }
                return
            }
            switch outcome {
            case .complete(let status, let headers, let body):
                onLoop { handler, context in handler.respond(status: status, headers: headers, body: body, closing: closing, context: context) }
            case .streaming(let response):
                let status = response.status
                let headers = response.headers
                onLoop { handler, context in handler.startStream(status: status, headers: headers, closing: closing, context: context) }
                let writer = FastPathBodyWriter(
                    eventLoop: loop,
                    writeChunk: { chunk in connection.value.handler.writeChunk(chunk, context: connection.value.context) },
                    finish: { connection.value.handler.endStream(number, failed: false, closing: closing, context: connection.value.context) })
                do {
                    try await response.body.write(writer)
                    // A body that did not finish itself ends here (once: the call's number guards the next call's stream).
                    onLoop { handler, context in handler.endStream(number, failed: false, closing: closing, context: context) }
                } catch {
                    onLoop { handler, context in handler.endStream(number, failed: true, closing: closing, context: context) }
                }
            }
        }
    }

    /// A gateway call ended with nothing to write (its client went away, or it was cancelled otherwise): the
    /// connection closes, as the router's does when a route ends so, and nothing it still holds is served.
    private func callEnded(context: ChannelHandlerContext) {
        gatewayCall = nil
        answering = false
        received = nil
        if context.channel.isActive { context.close(promise: nil) }
    }

    /// Writes a streamed answer's head; its chunks follow (`writeChunk`), then its end (`endStream`).
    private func startStream(status: HTTPResponse.Status, headers: HTTPFields, closing: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        streaming = true
        context.write(
            wrapOutboundOut(.byteBuffer(head(status: status, headers: headers, framing: .chunked, closing: closing, context: context))), promise: nil)
        flushSoon(context: context)
    }

    /// Writes one chunk of a streamed answer, flushed with the others written in the same turn of the event loop.
    /// Nil when the next may follow at once; else what to wait for first (the client takes no more for now, or is
    /// gone).
    private func writeChunk(_ chunk: ByteBuffer, context: ChannelHandlerContext) -> EventLoopFuture<Void>? {
        guard streaming, context.channel.isActive else { return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        guard context.channel.isWritable else {
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(chunk)), promise: written)
            return written.futureResult
        }
        context.write(wrapOutboundOut(.byteBuffer(chunk)), promise: nil)
        flushSoon(context: context)
        return nil
    }

    /// Ends a streamed answer: its last chunk, or, when it `failed` part way, the connection's end (all HTTP has to
    /// say that a body is cut short).
    private func endStream(_ number: Int, failed: Bool, closing: Bool, context: ChannelHandlerContext) {
        guard streaming, number == callsMade else { return }
        streaming = false
        guard context.channel.isActive, !failed else {
            context.flush()
            callEnded(context: context)
            return
        }
        gatewayCall = nil
        answered(ByteBuffer(staticString: "0\r\n\r\n"), closing: closing, context: context)
    }

    /// Flushes once what this turn of the event loop writes.
    private func flushSoon(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        context.eventLoop.assumeIsolated().execute {
            self.flushQueued = false
            context.flush()
        }
    }

    private func respond(_ answer: ServedAnswer, closing: Bool, context: ChannelHandlerContext) {
        respond(status: answer.status, headers: answer.headers, body: answer.body, closing: closing, context: context)
    }

    /// Writes a whole answer, then goes on with the connection's next request.
    private func respond(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer, closing: Bool, context: ChannelHandlerContext) {
        answering = false
        gatewayCall = nil
        guard context.channel.isActive else {
            // The client is gone: what it sent after is not served (no model server call, no events).
            received = nil
            return
        }
        var response = head(status: status, headers: headers, framing: .length(body.readableBytes), closing: closing, context: context)
        var body = body
        response.writeBuffer(&body)
        answered(response, closing: closing, context: context)
    }

    /// How an answer's body is delimited.
    private enum Framing {
        case length(Int)
        case chunked
    }

    /// An answer's head; with `Connection: close` when the connection closes after it.
    private func head(status: HTTPResponse.Status, headers: HTTPFields, framing: Framing, closing: Bool, context: ChannelHandlerContext)
        -> ByteBuffer
    {
        var response = context.channel.allocator.buffer(capacity: 512)
        // The status's standard reason phrase (HTTPTypes keeps none for a status made from a model server's code).
        response.writeStaticString("HTTP/1.1 ")
        response.writeDecimal(status.code)
        response.writeStaticString(" ")
        response.writeString(HTTPResponseStatus(statusCode: status.code).reasonPhrase)
        response.writeStaticString("\r\n")
        for field in headers {
            response.writeString(field.name.rawName)
            response.writeStaticString(": ")
            response.writeString(field.value)
            response.writeStaticString("\r\n")
        }
        switch framing {
        case .length(let length):
            response.writeStaticString("content-length: ")
            response.writeDecimal(length)
            response.writeStaticString("\r\n")
        case .chunked: response.writeStaticString("transfer-encoding: chunked\r\n")
        }
        response.writeStaticString("date: ")
        response.writeString(currentDate())
        response.writeStaticString("\r\nserver: Steward\r\n")
        if closing || closeAfterAnswer { response.writeStaticString("connection: close\r\n") }
        response.writeStaticString("\r\n")
        return response
    }

    /// Writes the last bytes of an answer, then closes the connection or goes on with its next request.
    private func answered(_ bytes: ByteBuffer, closing: Bool, context: ChannelHandlerContext) {
        answering = false
        if closing || closeAfterAnswer {
            // As the router does for `Connection: close`: once the answer is written, and nothing after it.
            received = nil
            close(after: bytes, context: context)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
        lastActivity = .now()
        takeRequests(context: context)
        resumeReading(context: context)
    }

    /// Gives the connection to the HTTP codec and the router: what is not answered yet goes on as it came, and
    /// this handler leaves the pipeline. Waits for the answer owed, if any.
    private func handOver(context: ChannelHandlerContext) {
        handingOver = true
        guard !answering else { return }
        stopIdleTimeout()
        do {
            try handOverState(context)
        } catch {
            context.close(promise: nil)
            return
        }
        let unanswered = received
        received = nil
        let reading = readPending
        readPending = false
        if let unanswered, unanswered.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(unanswered))
            context.fireChannelReadComplete()
        }
        // What was held back here, for the handlers that now answer: a graceful shutdown asked for while an
        // answer was owed, and the client's end of sending.
        if closeAfterAnswer { context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        if inputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        if reading { context.channel.read() }
    }

    /// Writes `bytes` and closes the connection once they, and every answer written before them (writes complete in
    /// order), are written.
    private func close(after bytes: ByteBuffer, context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Reads again if a read was held back (`mayRead`).
    private func resumeReading(context: ChannelHandlerContext) {
        if readPending, mayRead(context: context), context.channel.isActive {
            readPending = false
            context.read()
        }
    }

    /// Closes the connection when the client sends nothing for the idle timeout while no answer is owed, as the
    /// connection-state handler does. One timer per connection, moved on only when it fires.
    private func scheduleIdleTimeout(context: ChannelHandlerContext) {
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity + services.idleTimeout) {
            if !self.answering && NIODeadline.now() - self.lastActivity >= self.services.idleTimeout {
                self.idleTimer = nil
                context.close(promise: nil)
            } else {
                if self.answering { self.lastActivity = .now() }
                self.scheduleIdleTimeout(context: context)
            }
        }
    }

    private func stopIdleTimeout() {
        idleTimer?.cancel()
        idleTimer = nil
    }

    /// The `Date` header, formatted once a second.
    private func currentDate() -> String {
        var now = time(nil)
        if Int(now) != date.second {
            var parts = tm()
            gmtime_r(&now, &parts)
            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            date = (
                Int(now),
                "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                    + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
            )
        }
        return date.text
    }
}
