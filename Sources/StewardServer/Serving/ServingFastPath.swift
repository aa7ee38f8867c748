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
/// A connection starts here. At the first request this path does not take whole, it hands the connection over
/// for good: the bytes not yet answered go, as they came, to NIO's HTTP codec and the router, this handler leaves
/// the pipeline, and Hummingbird's connection-state handler (idle timeout, graceful shutdown) takes over from a
/// fresh start. Handed over are:
///
/// - anything `ServingRequestHead` does not read (another route, credentials, `Expect`, chunked bodies, unusual
///   headers) or whose body is larger than `largestBody` (parsed on an event loop it would hold up the loop's
///   other connections);
/// - a system with no live deployment, or an unknown one (the router words the 404);
/// - a body that is not a valid scoring request (the router words the 400), or an arm whose endpoint is not plain
///   `http://`.
///
/// The live deployment comes from memory while the store vouches for it (`DeploymentService.knownLive`), else
/// from the store, asked from a task (PostgreSQL always, SQLite after a deployment changed).
///
/// While it answers, it does what the connection-state handler would: it closes a connection idle for
/// `idleTimeout` and, at graceful shutdown, closes it once the answer owed is written; a client that closes its
/// sending side gets the answers to its complete requests before the connection closes. What it held back of
/// these (a shutdown asked for, the client's end of sending) goes to the router's handlers at the hand-over.
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
        /// With authentication on, requests without a token are the router's to refuse: the path is not used.
        let authenticationRequired: Bool
        /// Larger bodies go to the router: parsing them here would hold up every connection of the event loop.
        let largestBody: Int
        let connections: ModelServerConnectionPools
        let idleTimeout: TimeAmount
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
    /// When the client last sent bytes or was answered; the idle timeout counts from here.
    private var lastActivity = NIODeadline.now()
    private var connections: ModelServerConnections?
    private var date = (second: 0, text: "")

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
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopIdleTimeout()
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
        // While an answer is owed, or the client does not take what it was sent, its next requests wait in the
        // socket, not in memory.
        if answering || !context.channel.isWritable {
            readPending = true
        } else {
            context.read()
        }
    }

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
            guard bytes.readableBytes >= head.length + head.contentLength else {
                if inputClosed { handOver(context: context) }
                return
            }
            switch services.deployments.knownLive(system: head.system) {
            case .some(.some(let deployment)):
                serve(head, deployment: deployment, context: context)
            case .some(.none):
                handOver(context: context)
            case .none:
                lookUp(head, context: context)
            }
        }
    }

    /// Asks the store for the system's live deployment, then serves the request or hands the connection over.
    private func lookUp(_ head: ServingRequestHead, context: ChannelHandlerContext) {
        answering = true
        let deployments = services.deployments
        context.eventLoop.makeFutureWithTask { try await deployments.live(system: head.system) }.assumeIsolated().whenComplete {
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

    private func respond(_ answer: ServedAnswer, closing: Bool, context: ChannelHandlerContext) {
        answering = false
        guard context.channel.isActive else {
            // The client is gone: what it sent after is not served (no model server call, no events).
            received = nil
            return
        }
        let closes = closing || closeAfterAnswer
        var response = context.channel.allocator.buffer(capacity: 256 + answer.body.readableBytes)
        // The status's standard reason phrase (HTTPTypes keeps none for a status made from a model server's code).
        response.writeString("HTTP/1.1 \(answer.status.code) \(HTTPResponseStatus(statusCode: answer.status.code).reasonPhrase)\r\n")
        for field in answer.headers {
            response.writeString(field.name.rawName)
            response.writeStaticString(": ")
            response.writeString(field.value)
            response.writeStaticString("\r\n")
        }
        response.writeString("content-length: \(answer.body.readableBytes)\r\ndate: \(currentDate())\r\nserver: Steward\r\n")
        if closes { response.writeStaticString("connection: close\r\n") }
        response.writeStaticString("\r\n")
        var body = answer.body
        response.writeBuffer(&body)
        if closes {
            // As the router does for `Connection: close`: once the answer is written, and nothing after it.
            received = nil
            close(after: response, context: context)
            return
        }
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(response)), promise: nil)
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

    /// Reads again if a read was held back while an answer was owed or the client took none.
    private func resumeReading(context: ChannelHandlerContext) {
        if readPending, !answering, context.channel.isWritable, context.channel.isActive {
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
