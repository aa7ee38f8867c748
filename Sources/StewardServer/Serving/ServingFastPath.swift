import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import StewardCore

/// The serving route's fast path: a channel handler in each HTTP connection that answers
/// `POST /serve/{system}/invocations` on the connection's own event loop, forwarding the body to the arm's model
/// server over a pooled connection of the same loop (`ModelServerConnections`), with no task and no thread hop
/// per request. It does what `ServingController` does (the same assignment, headers, events and shadow copies) and
/// hands every request it cannot take whole to the router, where the controller answers it:
///
/// - anything that is not a scoring request, or that carries credentials, an `Expect` header or a `Connection`
///   header other than `close` and `keep-alive`, or
///   that comes while the router still owes the connection an answer (so answers keep their order);
/// - a system whose live deployment the store cannot vouch for from memory (`DeploymentService.knownLive`,
///   SQLite's change stamp; PostgreSQL always asks the database, on the router's path);
/// - a body that is not a valid scoring request (the controller words the 400) or larger than 1 MiB (parsed on
///   an event loop it would hold up the loop's other connections), or for an arm whose endpoint is not plain
///   `http://`.
///
/// Measured with bench/router.py on 2 cores (release build, 16 connections, every request recorded): the router's
/// path served 4,100 requests a second (a task, an async HTTP client call and their hops per request), this path
/// 6,100, and its added latency at one connection fell from 0.85 ms to 0.32 ms at p50.
final class ServingFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What every connection's fast path shares.
    struct Services: Sendable {
        let deployments: DeploymentService
        let traffic: ServingTraffic
        /// With authentication on, requests without a token are the router's to refuse.
        let authenticationRequired: Bool
        /// Larger bodies go to the router: parsing them here would hold up every connection of the event loop.
        let largestBody: Int
        let connections: ModelServerConnectionPools
    }

    private enum State {
        /// No request in flight.
        case idle
        /// Requests handed to the router whose answers have not ended yet.
        case passing(Int)
        /// A request handed to the router asked to close the connection: everything after it is the router's
        /// (which ignores it), never answered here.
        case forwarding
        /// A scoring request's head is read and its body is being collected (in `collected`).
        case collecting
        /// Waiting for the model server; what arrives meanwhile waits in `held`.
        case answering
    }

    private struct Collected {
        let head: HTTPRequest
        let deployment: Deployment
        var body: ByteBuffer?
    }

    /// What arrived while an answer was owed, replayed in order after it.
    private enum Held {
        case part(HTTPRequestPart)
        case error(any Error)
    }

    let services: Services
    private var state = State.idle
    private var collected: Collected?
    private var held: [Held] = []
    private var readPending = false
    private var connections: ModelServerConnections?
    private var date = (second: 0, text: "")

    init(services: Services) {
        self.services = services
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections = services.connections.connections(on: context.eventLoop)
    }

    private var isAnswering: Bool {
        if case .answering = state { return true }
        return false
    }

    /// Whether what arrives now must wait: an answer is owed, or older parts still wait for their turn.
    private var isHolding: Bool { isAnswering || !held.isEmpty }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isHolding {
            held.append(.part(part))
        } else {
            take(part, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A later request's parse error must not overtake the answer owed to an earlier one.
        if isHolding {
            held.append(.error(error))
        } else {
            context.fireErrorCaught(error)
        }
    }

    func read(context: ChannelHandlerContext) {
        // While an answer is owed, or the client does not take what it was sent, its next requests wait in the
        // socket, not in memory.
        if isHolding || !context.channel.isWritable {
            readPending = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable { resume(context: context) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .passing(let count) = state, case .end = unwrapOutboundIn(data) {
            state = count > 1 ? .passing(count - 1) : .idle
        }
        context.write(data, promise: promise)
    }

    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if let deployment = servable(head) {
                collected = Collected(head: head, deployment: deployment)
                state = .collecting
            } else {
                pass(head, context: context, handedOver: 0)
            }
        case (.passing(let count), .head(let head)):
            pass(head, context: context, handedOver: count)
        case (.collecting, .body(var chunk)):
            if (collected?.body?.readableBytes ?? 0) + chunk.readableBytes > services.largestBody {
                handOver(context: context)
                context.fireChannelRead(wrapInboundOut(part))
            } else if collected?.body == nil {
                collected?.body = chunk
            } else {
                collected?.body?.writeBuffer(&chunk)
            }
        case (.collecting, .end):
            serve(context: context)
        default:
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Hands a request to the router; `handedOver` requests before it still owe their answers.
    private func pass(_ head: HTTPRequest, context: ChannelHandlerContext, handedOver: Int) {
        state = head.headerFields[.connection] == "close" ? .forwarding : .passing(handedOver + 1)
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// The system's live deployment when this path can take the request `head` starts.
    private func servable(_ head: HTTPRequest) -> Deployment? {
        guard head.method == .post, let path = head.path, path.hasPrefix("/serve/"),
            head.headerFields[.connection].map({ $0 == "close" || $0.lowercased() == "keep-alive" }) ?? true, head.headerFields[.expect] == nil,
            head.headerFields[.authorization] == nil, !services.authenticationRequired
        else { return nil }
        let route = path.split(separator: "?", maxSplits: 1)[0].split(separator: "/", omittingEmptySubsequences: false)
        guard route.count == 4, route[3] == "invocations", !route[2].isEmpty, !route[2].contains("%") else { return nil }
        if let length = head.headerFields[.contentLength].flatMap(Int.init), length > services.largestBody { return nil }
        guard case .some(.some(let deployment)) = services.deployments.knownLive(system: String(route[2])) else { return nil }
        return deployment
    }

    /// Gives the request being collected to the router, as it came.
    private func handOver(context: ChannelHandlerContext) {
        guard let request = collected else { return }
        collected = nil
        pass(request.head, context: context, handedOver: 0)
        if let body = request.body { context.fireChannelRead(wrapInboundOut(.body(body))) }
    }

    private func serve(context: ChannelHandlerContext) {
        guard let request = collected, let connections else { return }
        let body = request.body ?? context.channel.allocator.buffer(capacity: 0)
        let deployment = request.deployment
        guard let payload = try? PyfuncPayload(Data(buffer: body, byteTransferStrategy: .noCopy)), let split = try? deployment.split(),
            case let unit = ServingTraffic.unit(of: request.head.headerFields, payload: payload, deployment: deployment),
            case let arm = deployment.arms[split.arm(unit: unit)], let endpoint = connections.endpoint(arm.endpoint)
        else {
            handOver(context: context)
            context.fireChannelRead(wrapInboundOut(.end(nil)))
            return
        }
        collected = nil
        state = .answering
        let requestID = ServingTraffic.requestID(of: request.head.headerFields)
        let closing = request.head.headerFields[.connection] == "close"
        let traffic = services.traffic
        let start = ContinuousClock.now
        connections.post(body, to: endpoint) { result in
            traffic.record(result, arm: arm, of: deployment, requestID: requestID, unit: unit, rows: payload.rows, since: start)
            traffic.shadow(deployment, body: body, requestID: requestID, unit: unit, rows: payload.rows)
            self.respond(ServedAnswer(result, arm: arm, requestID: requestID), closing: closing, context: context)
        }
    }

    private func respond(_ answer: ServedAnswer, closing: Bool, context: ChannelHandlerContext) {
        var headers = answer.headers
        headers[.contentLength] = String(answer.body.readableBytes)
        headers[.date] = currentDate()
        headers[.server] = "Steward"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        state = .idle
        if closing {
            // As the router does for `Connection: close`: once the answer is written, and nothing after it.
            held.removeAll()
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        resume(context: context)
    }

    /// Takes, in order, what the client sent while an answer was owed, as long as it takes its answers; then
    /// reads again if a read was held back.
    private func resume(context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            // The client is gone: what it sent after is not served (no model server call, no events).
            held.removeAll()
            return
        }
        var replayed = false
        while !held.isEmpty, !isAnswering, context.channel.isWritable {
            switch held.removeFirst() {
            case .part(let part): take(part, context: context)
            case .error(let error): context.fireErrorCaught(error)
            }
            replayed = true
        }
        if replayed { context.fireChannelReadComplete() }
        if readPending, !isHolding, context.channel.isWritable {
            readPending = false
            context.read()
        }
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
