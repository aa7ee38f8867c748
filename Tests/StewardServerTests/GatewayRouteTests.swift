import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StewardCore
import StewardServer
import StewardTestSupport
import Synchronization
import Testing

/// The LLM gateway over real HTTP, in front of a stand-in provider on loopback that speaks OpenAI's wire format:
/// its administration (configuration, keys), answers and streams passed through and charged, fallbacks, deadlines,
/// and refusals in OpenAI's error shape that forward nothing.
@Suite("Gateway routes")
struct GatewayRouteTests {
    /// The bodies the stand-in provider received.
    final class Received: Sendable {
        let bodies = Mutex<[String]>([])
        var count: Int { bodies.withLock { $0.count } }
    }

    /// A provider on 127.0.0.1 whose upstream model names steer it: `echo` answers with usage, `stream-bare` streams
    /// without reporting usage, `busy` answers 429, `stall` answers after three seconds.
    static func withProvider(_ body: @escaping @Sendable (String, Received) async throws -> Void) async throws {
        let received = Received()
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            received.bodies.withLock { $0.append(text) }
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
            let model = object["model"] as? String ?? ""
            let json: HTTPFields = [.contentType: "application/json"]
            switch model {
            case "busy":
                return Response(
                    status: .tooManyRequests, headers: json,
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(string: #"{"error":{"message":"slow down","type":"requests","param":null,"code":null}}"#)))
            case "count":
                // Ten prompt tokens; as many completion tokens as allowed, up to fifty.
                let completion = min(object["max_tokens"] as? Int ?? 50, 50)
                return Response(
                    status: .ok, headers: json,
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"choices":[{"index":0,"message":{"role":"assistant","content":"n"},"finish_reason":"length"}],"usage":{"prompt_tokens":10,"completion_tokens":\#(completion)}}"#
                        )))
            case "locked":
                return Response(
                    status: .unauthorized, headers: json,
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(
                            string: #"{"error":{"message":"Incorrect API key provided: sk-abc***xyz","type":"invalid_request_error"}}"#)))
            case "stall":
                try await Task.sleep(for: .seconds(3))
                return Response(status: .ok, headers: json, body: ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
            case "tooly":
                // A tool call whose arguments carry a card number.
                return Response(
                    status: .ok, headers: json,
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"id":"c2","object":"chat.completion","model":"tooly","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"pay","arguments":"{\"card\":\"4111111111111111\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":10,"completion_tokens":10}}"#
                        )))
            case "stream-card":
                // A card number cut between two events, and text after it.
                let events = [
                    #"data: {"choices":[{"index":0,"delta":{"content":"Your card is 4111 1111"},"finish_reason":null}]}"#,
                    #"data: {"choices":[{"index":0,"delta":{"content":" 1111 1111, keep it safe."},"finish_reason":null}]}"#,
                    #"data: {"choices":[{"index":0,"delta":{"content":" Anything else?"},"finish_reason":"stop"}]}"#, "data: [DONE]",
                ]
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: ResponseBody(contentsOf: events.map { ByteBuffer(string: $0 + "\n\n") }))
            case "stream-bare":
                let events = [
                    #"data: {"choices":[{"index":0,"delta":{"content":"abcdefgh"},"finish_reason":null}]}"#,
                    #"data: {"choices":[{"index":0,"delta":{"content":"ijkl"},"finish_reason":"stop"}]}"#, "data: [DONE]",
                ]
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: ResponseBody(contentsOf: events.map { ByteBuffer(string: $0 + "\n\n") }))
            default:
                return Response(
                    status: .ok, headers: json,
                    body: ResponseBody(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"id":"c1","object":"chat.completion","model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":250,"total_tokens":1250,"prompt_tokens_details":{"cached_tokens":400}}}"#
                        )))
            }
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: TestStorage.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            var iterator = ports.makeAsyncIterator()
            try await body("http://127.0.0.1:\(await iterator.next() ?? 0)/v1", received)
            group.cancelAll()
        }
    }

    static func configuration(_ baseURL: String, cache: String = "") -> String {
        """
        \(cache)
        providers:
          - {name: stand-in, kind: openai, base_url: "\(baseURL)"}
        models:
          - {name: small, provider: stand-in, upstream_model: echo, input_per_million: 0.15, output_per_million: 0.6, cached_input_per_million: 0.075}
          - {name: bare, provider: stand-in, upstream_model: stream-bare, input_per_million: 1, output_per_million: 2}
          - {name: crowded, provider: stand-in, upstream_model: busy, input_per_million: 1, output_per_million: 1, fallbacks: [small]}
          - {name: slow, provider: stand-in, upstream_model: stall, input_per_million: 1, output_per_million: 1, timeout_seconds: 1}
          - {name: secret, provider: stand-in, upstream_model: echo, input_per_million: 1, output_per_million: 1}
          - {name: metered, provider: stand-in, upstream_model: count, input_per_million: 10, output_per_million: 20}
          - {name: locked, provider: stand-in, upstream_model: locked, input_per_million: 1, output_per_million: 1}
          - {name: tooly, provider: stand-in, upstream_model: tooly, input_per_million: 1, output_per_million: 1}
          - {name: carded, provider: stand-in, upstream_model: stream-card, input_per_million: 1, output_per_million: 1}
        """
    }

    /// A system listing every model but `secret`, with a gateway key; returns the system and the key.
    static func setUp(_ client: DeploymentRouteTests.AdminClient, baseURL: String, cache: String = "") async throws -> (system: String, key: String) {
        let put = try await client.execute(
            uri: "/api/v1/gateway/config", method: .put, headers: [.contentType: "application/yaml"],
            body: ByteBuffer(string: configuration(baseURL, cache: cache))
        ) { ($0.status, String(buffer: $0.body)) }
        #expect(put.0 == .ok, "\(put.1)")
        let listed = ["small", "bare", "crowded", "slow", "metered", "locked", "tooly", "carded"].map {
            #"{"provider": "stand-in", "model": "\#($0)", "version": "1", "type": "llm"}"#
        }
        let created = try await client.call(
            .post, "/api/v1/systems", json: #"{"name": "assistant", "purpose": "Answers", "external_models": [\#(listed.joined(separator: ","))]}"#)
        let system = try #require(created.body.dictionary("system")?.string("id"), "\(String(buffer: created.raw))")
        let key = try await client.call(.post, "/api/v1/systems/\(system)/gateway/keys", json: #"{"label": "tests"}"#)
        #expect(key.status == .created)
        return (system, try #require(key.body.string("key")))
    }

    static func chat(
        _ client: any TestClientProtocol, key: String, _ body: String, headers extra: HTTPFields = [:]
    ) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        var headers: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        headers.append(contentsOf: extra)
        return try await client.execute(uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, String(buffer: $0.body), $0.headers)
        }
    }

    /// The system's monitoring status once `requests` events are in.
    static func status(_ client: DeploymentRouteTests.AdminClient, _ system: String, requests: Int) async throws -> JSONBody {
        for _ in 0..<100 {
            let status = try await client.call(.get, "/api/v1/systems/\(system)/monitoring/status")
            if let body = status.body.dictionary("status"), body.dictionary("performance")?["requests"] as? Int ?? 0 >= requests { return body }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StewardError(.internalError, "the events did not arrive")
    }

    @Test("Answers pass through and are charged exactly; streams without usage are charged by what was sent", arguments: TestEngine.available)
    func answersAndStreams(engine: TestEngine) async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(engine) { client, _ in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL)
                let (status, body, headers) = try await Self.chat(
                    client.client, key: key, #"{"model": "small", "messages": [{"role": "user", "content": "hello"}], "seed": 7}"#)
                #expect(status == .ok && body.contains(#""content":"hi""#) && headers[HTTPField.Name("X-Steward-Request-Id")!] != nil)
                let forwarded = try #require(received.bodies.withLock { $0.last })
                #expect(forwarded.contains(#""model":"echo""#) && forwarded.contains(#""seed":7"#), "the provider's name, the rest as sent")
                // 600 × 0.15 + 400 × 0.075 + 250 × 0.6 millionths of a dollar.
                let first = try await Self.status(client, system, requests: 1)
                #expect(first.dictionary("cost")?["total_usd"] as? Double == 0.00027)
                #expect(first.dictionary("cost")?["tokens_in"] as? Int == 1000 && first.dictionary("cost")?["tokens_out"] as? Int == 250)

                let streamed = try await Self.chat(
                    client.client, key: key, #"{"model": "bare", "messages": [{"role": "user", "content": "abcdefghijkl"}], "stream": true}"#)
                #expect(streamed.0 == .ok && streamed.1.hasSuffix("data: [DONE]\n\n") && streamed.1.contains("ijkl"))
                #expect(received.bodies.withLock { $0.last }?.contains(#""stream_options":{"include_usage":true}"#) == true)
                // No usage reported: 12 characters each way, estimated at four a token, at 1 and 2 dollars a million.
                let second = try await Self.status(client, system, requests: 2)
                #expect(second.dictionary("cost")?["tokens_in"] as? Int == 1003 && second.dictionary("cost")?["tokens_out"] as? Int == 253)
                #expect(abs((second.dictionary("cost")?["total_usd"] as? Double ?? 0) - (0.00027 + 3e-6 + 6e-6)) < 1e-15)
            }
        }
    }

    @Test("Fallbacks on 429, a deadline answered 504, unlisted models and bad input refused in OpenAI's shape, nothing forwarded")
    func failuresAndRefusals() async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(.sqlite) { client, services in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL)
                let fallback = try await Self.chat(client.client, key: key, #"{"model": "crowded", "messages": [{"role": "user", "content": "x"}]}"#)
                #expect(fallback.0 == .ok && fallback.1.contains(#""model":"echo""#) && received.count == 2)

                let slow = try await Self.chat(client.client, key: key, #"{"model": "slow", "messages": [{"role": "user", "content": "x"}]}"#)
                #expect(slow.0 == .gatewayTimeout && slow.1.contains(#""code":"upstream_timeout""#), "\(slow.1)")

                let locked = try await Self.chat(client.client, key: key, #"{"model": "locked", "messages": [{"role": "user", "content": "x"}]}"#)
                #expect(locked.0 == .badGateway && locked.1.contains("refused the server's key") && !locked.1.contains("sk-abc"), "\(locked.1)")

                let before = received.count
                let embeddings = try await client.client.execute(
                    uri: "/v1/embeddings", method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"model": "small", "input": "x", "n": 4611686018427387904}"#)
                ) { ($0.status, String(buffer: $0.body)) }
                #expect(embeddings.0 == .badRequest && embeddings.1.contains("n is not a field of an embeddings request"), "\(embeddings.1)")
                let refusals: [(String, HTTPResponse.Status, String)] = [
                    (
                        #"{"model": "secret", "messages": [{"role": "user", "content": "x"}]}"#, .forbidden,
                        "Models it may use: small, bare, crowded, slow, metered, locked, tooly, carded"
                    ),
                    (#"{"model": "ghost", "messages": [{"role": "user", "content": "x"}]}"#, .forbidden, "not listed"),
                    (#"{"model": "small", "messages": []}"#, .badRequest, "messages is required"),
                    (#"{"model": "small", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}"#, .badRequest, "max_tokens must be"),
                    (
                        #"{"model": "small", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"}"#, .badRequest,
                        "temperature must be"
                    ),
                    (#"{"model": "small", "model": "secret", "messages": [{"role": "user", "content": "x"}]}"#, .badRequest, "not valid JSON"),
                    (#"{"model": "small", "messages": [{"role": "user", "content": 5}]}"#, .badRequest, "messages[0].content must be"),
                    (#"{"model": "small", "messages": [{"role": "robot", "content": "x"}]}"#, .badRequest, "messages[0].role must be one of"),
                    (#"{"model": "small", "messages": [{"role": "user", "content": [{"text": "x"}]}]}"#, .badRequest, "content[0] must be"),
                    (#"{"model": "small", "messages": [{"role": "user"}]}"#, .badRequest, "messages[0].content is required"),
                    (#"{"model": "small", "messages": [{"role": "user", "content": "x"}], "seed": "x"}"#, .badRequest, "seed must be"),
                    (#"{"model": "small", "messages": [{"role": "user", "content": "x"}], "tools": "x"}"#, .badRequest, "tools must be"),
                    (
                        #"{"model": "small", "messages": [{"role": "user", "content": "x"}], "response_format": 5}"#, .badRequest,
                        "response_format must be"
                    ),
                    (#"{"model": "small", "messages": [{"role": "user", "content": "x"}], "stop": 5}"#, .badRequest, "stop must be"),
                    (
                        #"{"model": "small", "messages": [{"role": "user", "content": "x"}], "presence_penalty": "hi"}"#, .badRequest,
                        "presence_penalty must be"
                    ),
                    (#"{"model": "small", "messages": [{"role": "user", "content": "x"}], "logprobs": "yes"}"#, .badRequest, "logprobs must be"),
                    (#"[1]"#, .badRequest, "must be a JSON object"),
                    (
                        #"{"model": "\#(String(repeating: "m", count: 200))", "messages": [{"role": "user", "content": "x"}]}"#, .badRequest,
                        "at most 128"
                    ),
                ]
                for (body, status, message) in refusals {
                    let answer = try await Self.chat(client.client, key: key, body)
                    #expect(answer.0 == status && answer.1.contains(message), "\(body): \(answer.1)")
                    let error = try JSONBody(ByteBuffer(string: answer.1)).dictionary("error")
                    #expect(error?.string("type") != nil && error?["param"] is NSNull, "\(answer.1)")
                }
                #expect(received.count == before, "nothing refused was forwarded")
                // Paths and methods the gateway does not have are answered in OpenAI's shape too.
                for (method, path) in [(HTTPRequest.Method.post, "/v1/completions"), (.get, "/v1/chat/completions")] {
                    let unknown = try await client.client.execute(uri: path, method: method, headers: [.authorization: "Bearer \(key)"]) {
                        ($0.status, String(buffer: $0.body))
                    }
                    #expect(unknown.0 == .notFound && unknown.1.contains(#""code":"unknown_url""#) && unknown.1.contains(#""type":"#), "\(unknown.1)")
                }
                let keys = try await client.call(.get, "/api/v1/systems/\(system)/gateway/keys")
                #expect(keys.body["unlisted_model_calls"] as? Int == 2)
                // Counted on the register entry too: shadow AI shows where the system is governed.
                let entry = try await client.call(.get, "/api/v1/systems/\(system)")
                #expect(entry.body.dictionary("system")?["unlisted_model_calls"] as? Int == 2, "\(String(buffer: entry.raw))")
                let audit = try await client.call(.get, "/api/v1/audit?system=\(system)")
                #expect(audit.body.array("events").filter { $0.string("action") == "gateway.unlisted_model" }.count == 2)

                // Keys: not shown again, refused once revoked; a user's token is not a gateway key.
                let id = try #require(keys.body.array("keys").first?.string("id"))
                #expect(!String(buffer: keys.raw).contains("sgw_"))
                #expect(try await client.call(.delete, "/api/v1/systems/\(system)/gateway/keys/\(id)").status == .ok)
                for bearer in [key, client.token] {
                    let refused = try await client.client.execute(uri: "/v1/models", method: .get, headers: [.authorization: "Bearer \(bearer)"]) {
                        ($0.status, String(buffer: $0.body))
                    }
                    #expect(refused.0 == .unauthorized && refused.1.contains("invalid_api_key"))
                }
                let viewer = try await services.identity.createUser(name: "val", role: .viewer, actor: IdentityService.bootstrap).token
                let viewerClient = DeploymentRouteTests.AdminClient(client: client.client, token: viewer)
                #expect(try await viewerClient.call(.post, "/api/v1/systems/\(system)/gateway/keys", json: "{}").status == .forbidden)
                let contributor = try await services.identity.createUser(name: "cy", role: .contributor, actor: IdentityService.bootstrap).token
                let put = try await DeploymentRouteTests.AdminClient(client: client.client, token: contributor).execute(
                    uri: "/api/v1/gateway/config", method: .put, body: ByteBuffer(string: "providers: []")
                ) { $0.status }
                #expect(put == .forbidden, "the configuration is for compliance and admins")
            }
        }
    }

    @Test("Concurrent calls never spend past a budget: each holds its worst case and asks for no more", arguments: TestEngine.available)
    func budgets(engine: TestEngine) async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(engine) { client, _ in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL)
                let set = try await client.call(.put, "/api/v1/systems/\(system)/gateway/budget", json: #"{"daily_usd": 0.01, "monthly_usd": null}"#)
                #expect(set.status == .ok, "\(String(buffer: set.raw))")
                let body = #"{"model": "metered", "messages": [{"role": "user", "content": "how many"}], "max_tokens": 50}"#
                // 30 at once: each holds up to (its request's bytes + framing) prompt tokens and 50 completion tokens.
                let statuses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { group in
                    for _ in 0..<30 {
                        group.addTask {
                            let answer = try await Self.chat(client.client, key: key, body)
                            return (answer.0, answer.1)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.contains { $0.0 == .ok })
                for (status, text) in statuses where status != .ok {
                    #expect(status == .tooManyRequests && text.contains("budget_exceeded") && text.contains("daily budget of system"), "\(text)")
                }
                // Then one at a time until refused: the last calls are asked for fewer tokens, to fit what is left.
                var refused = false
                var calls = statuses.count
                for _ in 0..<20 where !refused {
                    refused = try await Self.chat(client.client, key: key, body).0 == .tooManyRequests
                    calls += 1
                }
                #expect(refused)
                // Refused calls are events too: monitoring counts every call.
                let monitored = try await Self.status(client, system, requests: calls)
                #expect(monitored.dictionary("performance")?["requests"] as? Int == calls)
                let limits = received.bodies.withLock { bodies in
                    bodies.compactMap { text -> Int? in
                        guard text.contains(#""model":"count""#) else { return nil }
                        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["max_tokens"] as? Int
                    }
                }
                #expect(limits.contains { $0 < 50 }, "\(limits)")
                // Spend is exactly what the provider reported, at the prices: 10 prompt tokens at 10 $ a million and
                // the completion tokens allowed at 20 $ a million, and never past the budget.
                let expected = limits.reduce(Decimal(0)) { $0 + Decimal(10 * 10 + min($1, 50) * 20) / 1_000_000 }
                let report = try await client.call(.get, "/api/v1/systems/\(system)/gateway/budget")
                let systemBudget = try #require(report.body.array("budgets").first { $0.string("scope") == "system:\(system)" })
                let spent = try #require(Decimal(string: systemBudget.string("spent_today_usd") ?? ""))
                #expect(spent == expected && spent <= Decimal(string: "0.01")!, "\(String(buffer: report.raw))")
                #expect(systemBudget.string("daily_usd") == "0.01" && systemBudget["monthly_usd"] == nil)
            }
        }
    }

    @Test("A key's budget and a month's budget hold like a system's day; tools and response_format reach an OpenAI-format provider as sent")
    func keyAndMonthlyBudgets() async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(.sqlite) { client, _ in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL)
                let body =
                    #"{"model": "metered", "messages": [{"role": "user", "content": "how many"}], "max_tokens": 50, "tools": [{"type": "function", "function": {"name": "count", "parameters": {"type": "object"}}}], "response_format": {"type": "json_object"}}"#
                #expect(try await Self.chat(client.client, key: key, body).0 == .ok)
                let sent = try #require(received.bodies.withLock { $0.last })
                #expect(sent.contains(#""tools":[{"function":{"name":"count","parameters":{"type":"object"}},"type":"function"}]"#), "\(sent)")
                #expect(sent.contains(#""response_format":{"type":"json_object"}"#), "\(sent)")
                let keys = try await client.call(.get, "/api/v1/systems/\(system)/gateway/keys")
                let keyID = try #require(keys.body.array("keys").first?.string("id"))
                // The key may spend almost nothing today: refused, naming the key's budget; the system has none.
                let tight = try await client.call(
                    .put, "/api/v1/systems/\(system)/gateway/keys/\(keyID)/budget", json: #"{"daily_usd": 0.000001, "monthly_usd": null}"#)
                #expect(tight.status == .ok, "\(String(buffer: tight.raw))")
                let byKey = try await Self.chat(client.client, key: key, body)
                #expect(byKey.0 == .tooManyRequests && byKey.1.contains("daily budget of key \(keyID)"), "\(byKey.1)")
                #expect(
                    try await client.call(
                        .put, "/api/v1/systems/\(system)/gateway/keys/\(keyID)/budget", json: #"{"daily_usd": null, "monthly_usd": null}"#
                    )
                    .status == .ok)
                // A month's budget below a day's worst case refuses as well, naming the month.
                #expect(
                    try await client.call(.put, "/api/v1/systems/\(system)/gateway/budget", json: #"{"daily_usd": 10, "monthly_usd": 0.000001}"#)
                        .status
                        == .ok)
                let byMonth = try await Self.chat(client.client, key: key, body)
                #expect(byMonth.0 == .tooManyRequests && byMonth.1.contains("monthly budget of system \(system)"), "\(byMonth.1)")
                #expect(received.count == 1, "refused calls are not forwarded")
            }
        }
    }

    @Test("Repeats are answered from the cache, free and marked, as an answer or a stream; any field that changes the answer misses")
    func cache() async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(.sqlite) { client, _ in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL, cache: "cache: {ttl_seconds: 60}")
                let cacheHeader = HTTPField.Name("X-Steward-Cache")!
                let body = #"{"model": "small", "messages": [{"role": "user", "content": "hello"}], "temperature": 0}"#
                /// The body with `fields` added.
                func adding(_ fields: String) -> String { String(body.dropLast()) + ", " + fields + "}" }
                let first = try await Self.chat(client.client, key: key, body)
                #expect(first.0 == .ok && first.2[cacheHeader] == "miss" && received.count == 1)
                let second = try await Self.chat(client.client, key: key, body)
                #expect(second.0 == .ok && second.2[cacheHeader] == "hit" && second.1 == first.1 && received.count == 1)
                let streamed = try await Self.chat(client.client, key: key, adding(#""stream": true"#))
                #expect(streamed.2[cacheHeader] == "hit" && streamed.2[.contentType] == "text/event-stream" && received.count == 1)
                #expect(streamed.1.contains(#""delta":{"content":"hi","role":"assistant"}"#) && streamed.1.hasSuffix("data: [DONE]\n\n"))
                #expect(!streamed.1.contains("usage"), "no usage chunk unless asked")
                let withUsage = try await Self.chat(
                    client.client, key: key,
                    adding(#""stream": true, "stream_options": {"include_usage": true}"#))
                #expect(withUsage.1.contains(#""usage":{"#) && received.count == 1)
                let user = try await Self.chat(client.client, key: key, adding(#""user": "u-7""#))
                #expect(user.2[cacheHeader] == "hit", "who asked does not change the answer")

                // What changes the answer misses: another field, another value, a sampled answer; no-cache skips.
                for changed in [
                    adding(#""seed": 8"#),
                    body.replacingOccurrences(of: "hello", with: "hello!"),
                    body.replacingOccurrences(of: #""temperature": 0"#, with: #""temperature": 0.5"#),
                    body.replacingOccurrences(of: #", "temperature": 0"#, with: ""),
                ] {
                    let before = received.count
                    let answer = try await Self.chat(client.client, key: key, changed)
                    #expect(answer.2[cacheHeader] != "hit" && received.count == before + 1, "\(changed)")
                }
                let before = received.count
                let skipped = try await Self.chat(client.client, key: key, body, headers: [.cacheControl: "no-cache"])
                #expect(skipped.2[cacheHeader] == nil && received.count == before + 1)

                // Hits are events too, at no cost: 5 calls to the provider at 0.00027 $, 4 hits free.
                let status = try await Self.status(client, system, requests: 10)
                #expect(status.dictionary("performance")?["requests"] as? Int == 10)
                #expect(abs((status.dictionary("cost")?["total_usd"] as? Double ?? 0) - 0.00027 * 6) < 1e-12, "\(status.object)")
            }
        }
    }

    @Test("Safety checks: a blocked prompt is never forwarded, a blocked answer is withheld, flags are recorded", arguments: TestEngine.available)
    func safety(engine: TestEngine) async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(engine) { client, _ in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL)
                let checks = """
                    checks:
                      - {name: cards, kind: card, apply_to: input, action: block}
                      - {name: emails, kind: email, apply_to: input, action: flag}
                      - {name: greeting, kind: deny, pattern: "^hi$", apply_to: output, action: block}
                    """
                let put = try await client.execute(uri: "/api/v1/systems/\(system)/gateway/safety", method: .put, body: ByteBuffer(string: checks)) {
                    ($0.status, String(buffer: $0.body))
                }
                #expect(put.0 == .ok && put.1.contains(#""apply_to":"input""#), "\(put.1)")
                let blocked = try await Self.chat(
                    client.client, key: key, #"{"model": "bare", "messages": [{"role": "user", "content": "my card is 4111 1111 1111 1111"}]}"#)
                #expect(blocked.0 == .badRequest && blocked.1.contains(#""code":"content_blocked""#) && blocked.1.contains("'cards'"))
                #expect(received.count == 0, "a blocked prompt is never forwarded")
                // The stand-in answers "hi": the output check withholds it (the provider was called, and is charged).
                let withheld = try await Self.chat(
                    client.client, key: key, #"{"model": "small", "messages": [{"role": "user", "content": "write to ana@example.com"}]}"#)
                #expect(withheld.0 == .badRequest && withheld.1.contains("'greeting'") && !withheld.1.contains(#""content":"hi""#))
                #expect(received.count == 1)
                let status = try await Self.status(client, system, requests: 2)
                let safety = try #require(status.dictionary("safety"))
                #expect(safety["flagged"] as? Int == 2, "\(safety.object)")
                #expect((safety["by_flag"] as? [String: Any])?["cards"] as? Int == 1 && (safety["by_flag"] as? [String: Any])?["emails"] as? Int == 1)
                #expect((safety["by_flag"] as? [String: Any])?["greeting"] as? Int == 1)
                let refused = try await client.execute(
                    uri: "/api/v1/systems/\(system)/gateway/safety", method: .put,
                    body: ByteBuffer(string: "checks: [{name: x, kind: ssn, action: flag}]")
                ) { $0.status }
                #expect(refused == .badRequest)
                let shown = try await client.call(.get, "/api/v1/systems/\(system)/gateway/safety")
                #expect(shown.body.array("checks").count == 3, "a refused document changes nothing")
            }
        }
    }

    @Test(
        "Answers are checked as they go out: a stream stops before the piece that completes a blocked match, tool calls' arguments are read, a cached answer is checked again, max_length counts the characters sent"
    )
    func answerChecks() async throws {
        try await Self.withProvider { baseURL, received in
            try await DeploymentRouteTests.live(.sqlite) { client, _ in
                let (system, key) = try await Self.setUp(client, baseURL: baseURL, cache: "cache: {ttl_seconds: 60}")
                let tool = #"{"model": "tooly", "messages": [{"role": "user", "content": "pay"}], "temperature": 0}"#
                let greeting = #"{"model": "small", "messages": [{"role": "user", "content": "hello"}], "temperature": 0}"#
                // Kept before there are checks; a kept tool call streams with its index, as providers stream them.
                #expect(try await Self.chat(client.client, key: key, tool).0 == .ok)
                #expect(try await Self.chat(client.client, key: key, greeting).0 == .ok)
                let streamedTool = try await Self.chat(client.client, key: key, String(tool.dropLast()) + #", "stream": true}"#)
                #expect(streamedTool.1.contains(#""id":"call_1","index":0,"type":"function""#), "\(streamedTool.1)")
                let checks = """
                    checks:
                      - {name: cards, kind: card, apply_to: output, action: block}
                      - {name: greeting, kind: deny, pattern: "^hi$", apply_to: output, action: block}
                      - {name: short, kind: max_length, characters: 10, apply_to: input, action: block}
                    """
                let put = try await client.execute(uri: "/api/v1/systems/\(system)/gateway/safety", method: .put, body: ByteBuffer(string: checks)) {
                    $0.status
                }
                #expect(put == .ok)
                let forwarded = received.count
                // From the cache, checked again under the checks of now.
                let cachedGreeting = try await Self.chat(client.client, key: key, greeting)
                #expect(cachedGreeting.0 == .badRequest && cachedGreeting.1.contains("'greeting'"), "\(cachedGreeting.1)")
                let cachedTool = try await Self.chat(client.client, key: key, tool)
                #expect(cachedTool.0 == .badRequest && cachedTool.1.contains("'cards'") && !cachedTool.1.contains("4111"), "\(cachedTool.1)")
                #expect(received.count == forwarded, "both came from the cache")
                // A tool call's arguments are checked like text.
                let freshTool = try await Self.chat(client.client, key: key, #"{"model": "tooly", "messages": [{"role": "user", "content": "pay"}]}"#)
                #expect(freshTool.0 == .badRequest && freshTool.1.contains("'cards'") && !freshTool.1.contains("4111"), "\(freshTool.1)")
                // A stream stops at the piece that completes the card number: never sent whole, nothing after it.
                let stream = try await Self.chat(
                    client.client, key: key, #"{"model": "carded", "messages": [{"role": "user", "content": "card?"}], "stream": true}"#)
                #expect(stream.0 == .ok && stream.1.contains(#""code":"content_blocked""#) && stream.1.contains("'cards'"), "\(stream.1)")
                #expect(!stream.1.contains("1111, keep") && !stream.1.contains("Anything else") && !stream.1.contains("[DONE]"), "\(stream.1)")
                // max_length counts the characters sent: ten pass, eleven do not.
                let ten = try await Self.chat(
                    client.client, key: key, #"{"model": "metered", "messages": [{"role": "user", "content": "abcdefghij"}]}"#)
                #expect(ten.0 == .ok, "\(ten.1)")
                let eleven = try await Self.chat(
                    client.client, key: key, #"{"model": "metered", "messages": [{"role": "user", "content": "abcdefghijk"}]}"#)
                #expect(eleven.0 == .badRequest && eleven.1.contains("'short'"), "\(eleven.1)")
                // Each is an event with what its checks found.
                let status = try await Self.status(client, system, requests: 9)
                let byFlag = try #require(status.dictionary("safety")?.dictionary("by_flag"))
                #expect(byFlag["cards"] as? Int == 3 && byFlag["greeting"] as? Int == 1 && byFlag["short"] as? Int == 1, "\(byFlag.object)")
            }
        }
    }

    @Test("A configuration naming a host the server may not call, or a provider kind unknown, is refused and not stored")
    func configurationRefusals() async throws {
        try await DeploymentRouteTests.live(.sqlite) { client, _ in
            for (document, status, message) in [
                (
                    "providers: [{name: p, kind: openai, base_url: 'https://api.example.com/v1'}]", HTTPResponse.Status.forbidden,
                    "--allow-endpoint-host"
                ),
                ("providers: [{name: p, kind: gemini, base_url: 'http://127.0.0.1:9/v1'}]", .badRequest, "use openai or anthropic"),
            ] {
                let answer = try await client.execute(uri: "/api/v1/gateway/config", method: .put, body: ByteBuffer(string: document)) {
                    ($0.status, String(buffer: $0.body))
                }
                #expect(answer.0 == status && answer.1.contains(message), "\(answer.1)")
            }
            let shown = try await client.call(.get, "/api/v1/gateway/config")
            #expect(shown.body.dictionary("configuration")?["version"] as? Int == 0)
        }
    }
}
