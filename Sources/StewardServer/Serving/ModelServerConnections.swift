import Foundation
import NIOCore
import NIOPosix
import StewardCore

/// Keep-alive connections from one event loop to the model servers behind deployments, for the serving fast path
/// (`ServingFastPath`): a scoring request read on a loop is forwarded on a connection of the same loop, so it
/// never waits for a task or another thread. Plain `http://` endpoints only; others take the router's path
/// (`ModelServerClient`).
///
/// Like `ModelServerClient` it never follows a redirect (a 3xx is the answer), gives every call a deadline and
/// caps the answer's size. A request that meets a pooled connection the model server has just closed (its
/// keep-alive ran out) is sent once more on a new connection, when nothing of an answer had come: a scoring call
/// computes a prediction and changes nothing, so trying again is safe.
///
/// Confined to its event loop: every method is called on it.
final class ModelServerConnections {
    /// A plain-HTTP scoring URL taken apart.
    struct Endpoint: Hashable {
        let host: String
        let port: Int
        let path: String
        /// The `Host` header: the URL's authority.
        let authority: String

        /// `url` when it is plain `http://` with a host; nil for anything else (https goes to the router's path).
        /// Read with `URLComponents`, as `EndpointAllowList.check` read it when the arm was created, so that the
        /// host called is the host that was allowed.
        init?(_ url: String) {
            guard let components = URLComponents(string: url), components.scheme?.lowercased() == "http",
                components.user == nil, components.password == nil, let named = components.host, !named.isEmpty
            else { return nil }
            let host = named.hasPrefix("[") && named.hasSuffix("]") ? String(named.dropFirst().dropLast()) : named
            port = components.port ?? 80
            guard (1...65535).contains(port) else { return nil }
            self.host = host
            let query = components.percentEncodedQuery.map { "?\($0)" } ?? ""
            path = (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath) + query
            let bracketed = host.contains(":") ? "[\(host)]" : host
            authority = components.port.map { "\(bracketed):\($0)" } ?? bracketed
        }
    }

    private struct Connection {
        let channel: any Channel
        let exchange: ModelServerExchange
        var idleSince: NIODeadline
    }

    let eventLoop: any EventLoop
    let timeout: TimeAmount
    let maximumAnswerBytes: Int
    /// The hosts the server may call now; an endpoint on another host has no `Endpoint` here (its request goes to the
    /// router's path, which answers 403).
    let allowList: EndpointAllowList?
    private var idle: [Endpoint: [Connection]] = [:]
    private var endpoints: [String: Endpoint?] = [:]
    /// The next pass that closes connections idle for longer than `maximumIdle`; scheduled while any is idle.
    private var sweep: Scheduled<Void>?
    /// Idle connections kept per model server; more are closed when their request ends.
    static let idlePerEndpoint = 128
    /// A pooled connection idle for longer is not reused: model servers close idle keep-alive connections after a
    /// few seconds (uvicorn after 5), and a request must not meet one they are closing.
    static let maximumIdle = TimeAmount.seconds(2)

    init(eventLoop: any EventLoop, timeout: TimeAmount, maximumAnswerBytes: Int, allowList: EndpointAllowList? = nil) {
        self.eventLoop = eventLoop
        self.timeout = timeout
        self.maximumAnswerBytes = maximumAnswerBytes
        self.allowList = allowList
    }

    /// The endpoint of a scoring URL, parsed once per URL; nil when the fast path cannot call it (not plain
    /// `http://`, or on a host the server does not allow).
    func endpoint(_ url: String) -> Endpoint? {
        if let known = endpoints[url] { return known }
        if endpoints.count >= 1024 { endpoints.removeAll(keepingCapacity: true) }
        let allowed = allowList.map { list in (try? list.check(url)) != nil } ?? true
        let parsed = allowed ? Endpoint(url) : nil
        endpoints[url] = .some(parsed)
        return parsed
    }

    /// A request under way, which its caller may give up.
    final class Call {
        fileprivate var finished = false
        fileprivate var inFlight: ModelServerExchange?
        fileprivate var deadline: Scheduled<Void>?

        /// Stops reading a passed-on answer while its receiver takes no more, or reads on.
        func pause(_ paused: Bool) {
            inFlight?.pause(paused)
        }

        /// Gives the request up: its connection is closed, and `finish` is not called.
        func cancel() {
            guard !finished else { return }
            finished = true
            deadline?.cancel()
            inFlight?.abandon()
        }
    }

    /// Posts `body` to `endpoint` with `headers` besides the framing ones; `finish` is called once, on the event
    /// loop, with the answer or the failure. The answer must come within `timeout` (the pool's when nil); with a
    /// `receiver`, only its head must, and its body is passed on as it comes (the answer's body is then empty).
    /// `retryable`: a pooled connection found closed is replaced and the request sent again (safe for a request
    /// that changes nothing).
    @discardableResult
    func post(
        _ body: ByteBuffer, to endpoint: Endpoint, headers: [(String, String)] = [], timeout: TimeAmount? = nil, retryable: Bool = true,
        receiver: ModelServerExchange.Receiver? = nil,
        finish: @escaping (Result<ModelServerClient.Answer, ModelServerClient.Failure>) -> Void
    ) -> Call {
        let call = Call()
        let loop = eventLoop.assumeIsolated()
        call.deadline = loop.scheduleTask(in: timeout ?? self.timeout) {
            guard !call.finished else { return }
            call.finished = true
            call.inFlight?.abandon()
            finish(.failure(.timedOut))
        }
        let complete = { (result: Result<ModelServerClient.Answer, ModelServerClient.Failure>) in
            guard !call.finished else { return }
            call.finished = true
            call.deadline?.cancel()
            finish(result)
        }
        // Once the head has come, the body may take its time.
        let passing = receiver.map { receiver in
            ModelServerExchange.Receiver(
                head: { status, contentType in
                    call.deadline?.cancel()
                    receiver.head(status, contentType)
                }, part: receiver.part)
        }
        func send(on connection: Connection, retryable: Bool) {
            guard !call.finished else {
                release(connection, to: endpoint)
                return
            }
            call.inFlight = connection.exchange
            connection.exchange.post(
                body, path: endpoint.path, host: endpoint.authority, headers: headers, maximumAnswerBytes: maximumAnswerBytes, receiver: passing
            ) { outcome in
                call.inFlight = nil
                switch outcome {
                case .answered(let answer, let reusable):
                    if reusable { self.release(connection, to: endpoint) } else { connection.channel.close(promise: nil) }
                    complete(.success(answer))
                case .broken(let reason, let answerStarted):
                    connection.channel.close(promise: nil)
                    if retryable && !answerStarted {
                        connect(retryable: false)
                    } else {
                        complete(.failure(.unreachable(reason)))
                    }
                case .tooLarge:
                    complete(.failure(.unreachable("the answer is larger than \(self.maximumAnswerBytes) bytes")))
                }
            }
        }
        func connect(retryable: Bool) {
            guard !call.finished else { return }
            self.connect(to: endpoint).assumeIsolated().whenComplete { result in
                switch result {
                case .success(let channel):
                    do {
                        let exchange = try channel.pipeline.syncOperations.handler(type: ModelServerExchange.self)
                        send(on: Connection(channel: channel, exchange: exchange, idleSince: .now()), retryable: retryable)
                    } catch {
                        channel.close(promise: nil)
                        complete(.failure(.unreachable(String(describing: error))))
                    }
                case .failure(let error): complete(.failure(.unreachable(String(describing: error))))
                }
            }
        }
        if let connection = takeIdle(endpoint) {
            send(on: connection, retryable: retryable)
        } else {
            connect(retryable: false)
        }
        return call
    }

    private func takeIdle(_ endpoint: Endpoint) -> Connection? {
        let now = NIODeadline.now()
        while let connection = idle[endpoint]?.popLast() {
            if connection.exchange.isReady && now - connection.idleSince < Self.maximumIdle { return connection }
            connection.channel.close(promise: nil)
        }
        return nil
    }

    private func release(_ connection: Connection, to endpoint: Endpoint) {
        guard connection.exchange.isReady, idle[endpoint, default: []].count < Self.idlePerEndpoint else {
            connection.channel.close(promise: nil)
            return
        }
        var connection = connection
        connection.idleSince = .now()
        idle[endpoint, default: []].append(connection)
        if sweep == nil { scheduleSweep() }
    }

    private func scheduleSweep() {
        sweep = eventLoop.assumeIsolated().scheduleTask(in: Self.maximumIdle) { self.closeExpired() }
    }

    /// Closes the idle connections that can no longer be reused, so that a model server that stopped getting
    /// traffic (its deployment replaced) is not held open.
    private func closeExpired() {
        let now = NIODeadline.now()
        for (endpoint, connections) in idle {
            let (kept, expired) = connections.reduce(into: ([Connection](), [Connection]())) { split, connection in
                if connection.exchange.isReady && now - connection.idleSince < Self.maximumIdle {
                    split.0.append(connection)
                } else {
                    split.1.append(connection)
                }
            }
            for connection in expired { connection.channel.close(promise: nil) }
            idle[endpoint] = kept.isEmpty ? nil : kept
        }
        if idle.isEmpty { sweep = nil } else { scheduleSweep() }
    }

    private func connect(to endpoint: Endpoint) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ModelServerExchange()) }
            }
            .connect(host: endpoint.host, port: endpoint.port)
    }
}
