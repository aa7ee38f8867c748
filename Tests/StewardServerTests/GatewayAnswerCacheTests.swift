import Foundation
import NIOCore
import StewardCore
import StewardJSON
import Testing

@testable import StewardServer

/// The gateway's answer cache: expiry, the least recently used dropped first, and keys that tell apart every field
/// that changes an answer.
@Suite("Gateway answer cache")
struct GatewayAnswerCacheTests {
    static func settings(entries: Int) throws -> GatewayConfiguration.Cache {
        try #require(try GatewayConfiguration(yaml: "cache: {ttl_seconds: 10, max_entries: \(entries)}").cache)
    }

    @Test("An answer is served until its TTL ends; when full, the least recently used go first")
    func expiryAndEviction() throws {
        let cache = GatewayAnswerCache()
        let settings = try Self.settings(entries: 3)
        for name in ["a", "b", "c"] { cache.keep(ByteBuffer(string: name), for: name, settings: settings, now: 0) }
        #expect(cache.answer(for: "a", now: 1) == ByteBuffer(string: "a"), "a is now the most recently used")
        cache.keep(ByteBuffer(string: "d"), for: "d", settings: settings, now: 2)
        #expect(cache.answer(for: "b", now: 3) == nil && cache.answer(for: "a", now: 3) != nil && cache.answer(for: "d", now: 3) != nil)
        #expect(cache.answer(for: "a", now: 10_000) == nil, "expired at its TTL")
    }

    @Test("A full cache drops exactly the least recently used, however many answers pass through it")
    func manyEvictions() throws {
        let cache = GatewayAnswerCache()
        let settings = try Self.settings(entries: 100)
        cache.keep(ByteBuffer(string: "hot"), for: "hot", settings: settings, now: 0)
        for index in 0..<5_000 {
            cache.keep(ByteBuffer(string: "\(index)"), for: "\(index)", settings: settings, now: 0)
            #expect(cache.answer(for: "hot", now: 0) != nil, "used after every answer kept: never the least recently used")
        }
        let kept = (0..<5_000).filter { cache.answer(for: "\($0)", now: 0) != nil }
        #expect(kept == Array(4_901..<5_000), "the newest 99 beside the hot one")
    }

    @Test("A full cache that only takes new answers keeps a bounded record of their use")
    func boundedRecency() throws {
        let cache = GatewayAnswerCache()
        let settings = try Self.settings(entries: 100)
        for index in 0..<20_000 { cache.keep(ByteBuffer(string: "\(index)"), for: "\(index)", settings: settings, now: 0) }
        #expect(cache.stampCount <= 2 * 100 + 1024 + 1, "\(cache.stampCount) stamps for 100 entries")
        #expect(cache.answer(for: "19999", now: 0) != nil && cache.answer(for: "19899", now: 0) == nil)
    }

    @Test("Keys differ in every field but stream, stream_options and user, and between systems")
    func keys() throws {
        func key(_ body: String, system: String = "sys-1") throws -> String {
            GatewayAnswerCache.key(systemID: system, version: 1, call: try GatewayCall(kind: .chat, body: Data(body.utf8)))
        }
        let base = #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 0}"#
        let same = [
            #"{"temperature": 0, "messages": [{"content": "x", "role": "user"}], "model": "m"}"#,
            #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 0, "stream": true, "user": "u"}"#,
        ]
        for body in same { #expect(try key(body) == key(base), "\(body)") }
        let different = [
            #"{"model": "n", "messages": [{"role": "user", "content": "x"}], "temperature": 0}"#,
            #"{"model": "m", "messages": [{"role": "user", "content": "x "}], "temperature": 0}"#,
            #"{"model": "m", "messages": [{"role": "system", "content": "x"}], "temperature": 0}"#,
            #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 0, "max_tokens": 5}"#,
            #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 0, "tools": []}"#,
            #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 0, "response_format": {"type": "json_object"}}"#,
        ]
        for body in different { #expect(try key(body) != key(base), "\(body)") }
        #expect(try key(base, system: "sys-2") != key(base))
        let call = try GatewayCall(kind: .chat, body: Data(base.utf8))
        #expect(
            GatewayAnswerCache.key(systemID: "sys-1", version: 2, call: call) != GatewayAnswerCache.key(systemID: "sys-1", version: 1, call: call))
    }

    @Test("A budget holds each image at the model's most and tools at their instructions; its limit goes in the field the client or the model uses")
    func boundsAndLimits() throws {
        let configuration = try GatewayConfiguration(
            yaml: """
                providers: [{name: p, kind: openai, base_url: "http://127.0.0.1:1/v1"}]
                models: [{name: m, provider: p, upstream_model: u, input_per_million: 1, output_per_million: 1, tokens_per_image: 1000}]
                """)
        let model = try #require(configuration.model(named: "m"))
        let image = #"{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}"#
        let text = #"{"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "what is this"}, \#(image), \#(image)]}]}"#
        let call = try GatewayCall(kind: .chat, body: Data(text.utf8))
        #expect(call.imageCount == 2 && call.promptTokenBound(for: model) == call.promptTokenBound + 2000)
        let tools = #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function", "function": {"name": "f"}}]}"#
        let withTools = try GatewayCall(kind: .chat, body: Data(tools.utf8))
        #expect(withTools.promptTokenBound == Int64(tools.utf8.count) + 16 + 4 + 1024)
        func limit(_ body: String, field: String) throws -> [String: JSONValue] {
            let sent = try GatewayCall(kind: .chat, body: Data(body.utf8)).upstreamBody(model: "u", maximumCompletionTokens: 7, limitField: field)
            guard case .object(let members) = try JSONValue.parse(Data(sent)) else { return [:] }
            return members
        }
        let plain = #"{"model": "m", "messages": [{"role": "user", "content": "x"}]}"#
        #expect(try limit(plain, field: "max_completion_tokens")["max_completion_tokens"] == .integer(7))
        #expect(try limit(plain, field: "max_tokens")["max_tokens"] == .integer(7))
        let given = #"{"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 50}"#
        let lowered = try limit(given, field: "max_completion_tokens")
        #expect(lowered["max_tokens"] == .integer(7) && lowered["max_completion_tokens"] == nil, "the client's own field")
    }

    @Test("A kept completion is streamed as one delta per choice, its finish reason, the usage when asked, and [DONE]")
    func events() throws {
        let completion = try JSONValue.parse(
            #"{"id":"c","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#
        )
        let plain = String(buffer: GatewayAnswerCache.events(of: completion, includeUsage: false))
        #expect(plain.components(separatedBy: "\n\n").filter { !$0.isEmpty }.count == 3 && !plain.contains("usage"))
        #expect(plain.contains(#""delta":{"content":"hi","role":"assistant"}"#) && plain.contains(#""finish_reason":"stop""#))
        let withUsage = String(buffer: GatewayAnswerCache.events(of: completion, includeUsage: true))
        #expect(withUsage.contains(#""choices":[],"#) && withUsage.contains(#""usage":{"completion_tokens":1,"prompt_tokens":3}"#))
    }
}
