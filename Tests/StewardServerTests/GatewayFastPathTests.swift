import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOPosix
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardServer

/// Gateway calls on a connection of their own take the serving fast path (`ServingFastPath`): read from the
/// connection's bytes, run as the router runs them, and answered on the connection. What a client gets must be
/// what the router's `/v1` routes give: the same answers, streams, cache marks, refusals in OpenAI's shape and
/// events.
@Suite("Gateway fast path")
struct GatewayFastPathTests {
    /// One answer read from a connection's bytes.
    struct Answer {
        let status: Int
        /// Header names in lowercase.
        let headers: [String: String]
        let body: String
    }

    /// The answers in `raw`, in order: bodies framed by `Content-Length` or chunked.
    static func answers(_ raw: String) -> [Answer] {
        var rest = Substring(raw)
        var answers: [Answer] = []
        while let end = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<end.lowerBound].components(separatedBy: "\r\n")
            let status = Int(lines[0].split(separator: " ")[1]) ?? 0
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                headers[parts[0].lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            }
            rest = rest[end.upperBound...]
            var body = ""
            if let length = headers["content-length"].flatMap(Int.init) {
                let bytes = Array(rest.utf8)
                body = String(decoding: bytes.prefix(length), as: UTF8.self)
                rest = Substring(String(decoding: bytes.dropFirst(length), as: UTF8.self))
            } else if headers["transfer-encoding"] == "chunked" {
                while let line = rest.range(of: "\r\n"), let size = Int(rest[..<line.lowerBound], radix: 16) {
                    let bytes = Array(rest[line.upperBound...].utf8)
                    body += String(decoding: bytes.prefix(size), as: UTF8.self)
                    rest = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
                    if size == 0 { break }
                }
            }
            answers.append(Answer(status: status, headers: headers, body: body))
        }
        return answers
    }

    static func request(_ path: String = "/v1/chat/completions", key: String, _ body: String, headers: String = "", close: Bool = false) -> String {
        "POST \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(key)\r\n\(headers)" + (close ? "Connection: close\r\n" : "")
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("Answers, cache hits, streams and refusals, several on one connection, as the router gives them", arguments: TestEngine.available)
    func pipelined(engine: TestEngine) async throws {
        try await GatewayRouteTests.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(engine) { client, _ in
                let (system, key) = try await GatewayRouteTests.setUp(client, baseURL: baseURL, cache: "cache: {ttl_seconds: 600}")
                let port = try #require(client.client.port)
                let answer = #"{"model": "small", "messages": [{"role": "user", "content": "hello"}], "temperature": 0}"#
                let stream = #"{"model": "bare", "messages": [{"role": "user", "content": "abcdefghijkl"}], "stream": true}"#
                let raw = try await DeploymentRouteTests.exchange(
                    port: port,
                    Self.request(key: key, answer, headers: "X-Request-Id: fast-1\r\n")
                        + Self.request(key: key, answer)
                        + Self.request(key: key, stream)
                        + Self.request(key: key, #"{"model": "secret", "messages": [{"role": "user", "content": "x"}]}"#)
                        + Self.request(key: key, #"{"model": "small", "messages": []}"#)
                        + Self.request(key: "sgw_unknown", answer)
                        + Self.request("/v1/embeddings", key: key, #"{"model": "small", "input": "x", "n": 2}"#)
                        + Self.request(key: key, answer, headers: "Cache-Control: no-cache\r\n", close: true))
                let answers = Self.answers(raw)
                try #require(answers.count == 8, "\(raw)")
                #expect(answers[0].status == 200 && answers[0].body.contains(#""content":"hi""#))
                #expect(answers[0].headers["x-steward-request-id"] == "fast-1" && answers[0].headers["x-steward-cache"] == "miss")
                #expect(answers[1].status == 200 && answers[1].headers["x-steward-cache"] == "hit" && answers[1].body == answers[0].body)
                #expect(answers[2].status == 200 && answers[2].headers["content-type"] == "text/event-stream")
                #expect(answers[2].headers["transfer-encoding"] == "chunked" && answers[2].body.hasSuffix("data: [DONE]\n\n"))
                #expect(answers[2].body.contains("abcdefgh") && answers[2].body.contains("ijkl"))
                #expect(answers[3].status == 403 && answers[3].body.contains(#""code":"model_not_allowed""#), "\(answers[3].body)")
                #expect(answers[4].status == 400 && answers[4].body.contains("messages is required"), "\(answers[4].body)")
                #expect(answers[5].status == 401 && answers[5].body.contains(#""code":"invalid_api_key""#), "\(answers[5].body)")
                #expect(answers[6].status == 400 && answers[6].body.contains("n is not a field of an embeddings request"), "\(answers[6].body)")
                #expect(answers[7].status == 200 && answers[7].headers["x-steward-cache"] == nil && answers[7].headers["connection"] == "close")
                // Forwarded: the first answer, the stream and the one that skipped the cache; nothing refused.
                #expect(received.count == 3)
                // Every call that reached a model is an event: two answers, a hit and the stream.
                let status = try await GatewayRouteTests.status(client, system, requests: 4)
                #expect(status.dictionary("performance")?["requests"] as? Int == 4)
            }
        }
    }

    @Test("A provider at a plain http URL is called over the event loops' pooled connections: what async-http-client gets; deadlines and giving up")
    func pooledProviderCalls() async throws {
        try await GatewayRouteTests.withProvider { baseURL, received in
            let configuration = try GatewayConfiguration(yaml: GatewayRouteTests.configuration(baseURL))
            let provider = try #require(configuration.provider(named: "stand-in"))
            let pools = ModelServerConnectionPools(limits: ModelServerClient())
            let allowed = EndpointAllowList(hosts: ["127.0.0.1"])
            let pooled = LLMProviderClient(allowList: allowed, pools: pools)
            let library = LLMProviderClient(allowList: allowed)
            func call(_ client: LLMProviderClient, model: String, streaming: Bool, timeout: TimeAmount = .seconds(10)) async throws -> (
                Int, String?, [String]
            ) {
                let body = #"{"model": "\#(model)", "messages": [{"role": "user", "content": "x"}]\#(streaming ? #", "stream": true"# : "")}"#
                let response = try await client.post(
                    Array(body.utf8), path: "/chat/completions", to: provider, timeout: timeout, streaming: streaming)
                var pieces: [String] = []
                for try await piece in response.body { pieces.append(String(buffer: piece)) }
                return (Int(response.status.code), response.headers.first(name: "Content-Type"), pieces)
            }
            for (model, streaming) in [("echo", false), ("stream-bare", true), ("busy", false)] {
                let ours = try await call(pooled, model: model, streaming: streaming)
                let theirs = try await call(library, model: model, streaming: streaming)
                #expect(ours.0 == theirs.0 && ours.1 == theirs.1 && ours.2.joined() == theirs.2.joined(), "\(model)")
            }

            // No head within the deadline: timed out; the caller giving up ends the call at once.
            let clock = ContinuousClock()
            let started = clock.now
            await #expect(throws: LLMProviderClient.Failure.self) {
                try await call(pooled, model: "stall", streaming: false, timeout: .milliseconds(300))
            }
            #expect(clock.now - started < .seconds(2))
            let before = received.count
            let waiting = Task { try await call(pooled, model: "stall", streaming: true) }
            while received.count == before { try await Task.sleep(for: .milliseconds(10)) }
            let cancelled = clock.now
            waiting.cancel()
            await #expect(throws: (any Error).self) { try await waiting.value }
            #expect(clock.now - cancelled < .seconds(1))
        }
    }

    /// A provider whose stream sends its first event at once and the rest only when released.
    final class HeldStream: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let release = AsyncStream<Void>.makeStream()

        /// A server on 127.0.0.1 whose connections this handler answers.
        func listen() async throws -> any Channel {
            try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(self) } }
                .bind(host: "127.0.0.1", port: 0).get()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard String(buffer: unwrapInboundIn(data)).contains("\r\n\r\n") else { return }
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            @Sendable func chunk(_ text: String) -> String { String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n" }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head + chunk("data: first\n\n"))), promise: nil)
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let release = release.stream
            let rest = chunk("data: second\n\n") + chunk("data: [DONE]\n\n") + "0\r\n\r\n"
            Task {
                for await _ in release { break }
                loop.execute { bound.value.writeAndFlush(NIOAny(ByteBuffer(string: rest)), promise: nil) }
            }
        }
    }

    @Test("A pooled provider call's stream is passed on as it comes", .timeLimit(.minutes(1)))
    func pooledStreamAsItComes() async throws {
        let held = HeldStream()
        let server = try await held.listen()
        defer { server.close(promise: nil) }
        let configuration = try GatewayConfiguration(
            yaml: """
                providers:
                  - {name: held, kind: openai, base_url: "http://127.0.0.1:\(server.localAddress?.port ?? 0)/v1"}
                models: []
                """)
        let client = LLMProviderClient(
            allowList: EndpointAllowList(hosts: ["127.0.0.1"]), pools: ModelServerConnectionPools(limits: ModelServerClient()))
        let response = try await client.post(
            Array(#"{"model": "m", "stream": true}"#.utf8), path: "/chat/completions", to: try #require(configuration.provider(named: "held")),
            timeout: .seconds(10), streaming: true)
        var pieces = response.body.makeAsyncIterator()
        #expect(try await pieces.next().map { String(buffer: $0) } == "data: first\n\n")
        held.release.continuation.yield()
        var rest = ""
        while let piece = try await pieces.next() { rest += String(buffer: piece) }
        #expect(rest == "data: second\n\ndata: [DONE]\n\n")
    }

    @Test("A client that ends its side: a call waiting for its provider is ended and the connection closed; a stream under way goes on to its end")
    func clientEndsItsSide() async throws {
        let held = HeldStream()
        let server = try await held.listen()
        defer { server.close(promise: nil) }
        try await GatewayRouteTests.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(.sqlite) { client, _ in
                let configuration =
                    GatewayRouteTests.configuration(baseURL) + """

                          - {name: held, provider: held, upstream_model: m, input_per_million: 1, output_per_million: 1}
                        """
                let put = try await client.execute(
                    uri: "/api/v1/gateway/config", method: .put, headers: [.contentType: "application/yaml"],
                    body: ByteBuffer(
                        string: configuration.replacingOccurrences(
                            of: "providers:\n",
                            with: "providers:\n  - {name: held, kind: openai, base_url: \"http://127.0.0.1:\(server.localAddress?.port ?? 0)/v1\"}\n")
                    )
                ) { ($0.status, String(buffer: $0.body)) }
                #expect(put.0 == .ok, "\(put.1)")
                let models = ["slow", "held"].map { #"{"provider": "stand-in", "model": "\#($0)", "version": "1", "type": "llm"}"# }
                let created = try await client.call(
                    .post, "/api/v1/systems",
                    json: #"{"name": "halves", "purpose": "Answers", "external_models": [\#(models.joined(separator: ","))]}"#)
                let system = try #require(created.body.dictionary("system")?.string("id"))
                let key = try #require(
                    try await client.call(.post, "/api/v1/systems/\(system)/gateway/keys", json: #"{"label": "t"}"#).body.string("key"))
                let port = try #require(client.client.port)

                // Waiting for a provider that answers in three seconds (the model's deadline, one second, would answer
                // 504): ended at once, the connection closed with nothing written.
                let waiting = try RawConnection(port: port)
                let before = received.count
                try waiting.send(Self.request(key: key, #"{"model": "slow", "messages": [{"role": "user", "content": "x"}]}"#))
                while received.count == before { try await Task.sleep(for: .milliseconds(10)) }
                waiting.endSending()
                let ending = ContinuousClock.now
                let answer = try await waiting.receive(seconds: 5, untilClosed: true)
                #expect(answer.isEmpty, "no answer once the client has gone: \(answer)")
                #expect(ContinuousClock.now - ending < .seconds(2.5), "the connection closed before the provider would have answered")

                // A stream whose first event has come: the rest still comes, and its end.
                let streaming = try RawConnection(port: port)
                try streaming.send(Self.request(key: key, #"{"model": "held", "stream": true, "messages": [{"role": "user", "content": "x"}]}"#))
                let first = try await streaming.receive(seconds: 5)
                #expect(first.hasPrefix("HTTP/1.1 200") && first.contains("data: first"), "\(first)")
                streaming.endSending()
                try await Task.sleep(for: .milliseconds(100))
                held.release.continuation.yield()
                let rest = try await streaming.receive(seconds: 5, untilClosed: true)
                #expect(rest.contains("data: second") && rest.contains("data: [DONE]") && rest.hasSuffix("0\r\n\r\n"), "\(rest)")
            }
        }
    }
}
