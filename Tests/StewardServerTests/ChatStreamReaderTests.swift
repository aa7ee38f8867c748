import NIOCore
import Testing

@testable import StewardServer

/// Reading a provider's server-sent events: whole events passed on however the bytes are cut, the usage noted,
/// and the usage-only chunk held back from a client that did not ask for it.
@Suite("Chat stream reader")
struct ChatStreamReaderTests {
    static let stream =
        #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n"
        + #"data: {"choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}"# + "\r\n\r\n"
        + #"data: {"choices":[{"index":0,"delta":{"content":" world"},"finish_reason":"stop"}]}"# + "\n\n"
        + #"data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}"# + "\n\n"
        + "data: [DONE]\n\n"

    /// Feeds `text` in pieces of `size` bytes and returns what would be sent, and the reader.
    static func read(_ text: String, size: Int, wantsUsage: Bool) throws -> (String, ChatStreamReader) {
        var reader = ChatStreamReader(clientWantsUsage: wantsUsage)
        var sent = ""
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            if let events = try reader.events(in: ByteBuffer(bytes: bytes[start..<end])) { sent += String(buffer: events) }
            start = end
        }
        if let rest = reader.remainder { sent += String(buffer: rest) }
        return (sent, reader)
    }

    @Test("Cut anywhere, the same events are sent; usage, completion text and finish reason are read")
    func anyCut() throws {
        for size in [1, 2, 7, 64, 10_000] {
            let (sent, reader) = try Self.read(Self.stream, size: size, wantsUsage: true)
            #expect(sent == Self.stream, "pieces of \(size)")
            #expect(reader.usage?.promptTokens == 12 && reader.usage?.completionTokens == 2 && reader.usage?.cachedPromptTokens == 4)
            #expect(reader.completionCharacters == "Hello world".count && reader.finishReason == "stop")
        }
    }

    @Test("A client that did not ask for usage gets every event but the usage-only chunk")
    func usageHeldBack() throws {
        let (sent, reader) = try Self.read(Self.stream, size: 5, wantsUsage: false)
        #expect(!sent.contains("usage") && sent.contains("[DONE]") && sent.contains(" world"))
        #expect(reader.usage?.promptTokens == 12, "the usage is still read for charging")
    }

    @Test("A stream cut short sends its complete events, leaves the rest as it came, and has no usage")
    func cutShort() throws {
        let second = try #require(Self.stream.range(of: "\r\n\r\n"))
        let cut = String(Self.stream[..<second.upperBound]) + #"data: {"choices":[{"ind"#
        let (sent, reader) = try Self.read(cut, size: 3, wantsUsage: true)
        #expect(sent == cut)
        #expect(reader.usage == nil && reader.completionCharacters == "Hello".count)
    }

    @Test("An event that never ends is refused once it passes the cap")
    func endless() {
        var reader = ChatStreamReader(clientWantsUsage: true)
        let piece = ByteBuffer(repeating: UInt8(ascii: "a"), count: 1 << 20)
        #expect(throws: ServerSentEventSplitter.Failure.self) {
            for _ in 0..<5 { _ = try reader.events(in: piece) }
        }
    }

    /// Events of the usual shape and of every unusual one nearby: duplicated members, other indexes, tool calls,
    /// refusals, escapes, null and missing fields, malformed text.
    static let shapes: [String] = [
        #"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"caf\u00e9 \"quoted\" \ud83d\ude00\n"},"logprobs":null,"finish_reason":null}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"plain"},"finish_reason":"length"}],"usage":null}"#,
        #" { "choices" : [ { "delta" : { "content" : "spaced" } , "index" : 0 } ] , "id" : "c1" } "#,
        #"{"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":null},"finish_reason":null}]}"#,
        #"{"id":"c1","choices":[{"index":1,"delta":{"content":"second choice"},"finish_reason":null}]}"#,
        #"{"id":"c1","choices":[{"delta":{"content":"no index"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"index":0,"delta":{"content":"twice"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"first"},"delta":{"role":"assistant"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"one","content":"two"}}]}"#,
        #"{"id":"c1","choices":[],"choices":[{"index":0,"delta":{"content":"later"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"refusal":null,"content":"r"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"function_call":{"name":"f"}}}]}"#,
        #"{"id":"c1","choices":[{"index":0.0,"delta":{"content":"float index"}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":42}}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":null,"finish_reason":7}]}"#,
        #"{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5}}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"with usage"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"trailing"},}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"open"}}]"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"after"}}]} x"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"bad \x escape"}}]}"#,
        #"["not","an","object"]"#,
        "[DONE]",
    ]

    @Test("Events read for their few members say what they say read whole, whatever their shape")
    func quickReadingMatchesWholeReading() throws {
        // Every shape after a first chunk (whose id the answer cache keeps), alone and in every pair.
        let first =
            #"data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant"}}]}"#
        var streams = Self.shapes.map { [first, "data: " + $0] }
        for a in Self.shapes { for b in Self.shapes { streams.append([first, "data: " + a, "data: " + b]) } }
        streams.append(Self.shapes.map { "data: " + $0 })
        var quickReads = 0
        for events in streams {
            let text = events.joined(separator: "\n\n") + "\n\n"
            var quick = ChatStreamReader(clientWantsUsage: false)
            var whole = ChatStreamReader(clientWantsUsage: false, quickReading: false)
            let sentQuick = try quick.events(in: ByteBuffer(string: text)).map { String(buffer: $0) }
            let sentWhole = try whole.events(in: ByteBuffer(string: text)).map { String(buffer: $0) }
            #expect(sentQuick == sentWhole, "\(events)")
            #expect(quick.usage == whole.usage && quick.completionCharacters == whole.completionCharacters, "\(events)")
            #expect(quick.finishReason == whole.finishReason && quick.completionText == whole.completionText, "\(events)")
            #expect(quick.completion == whole.completion, "\(events)")
            quickReads += quick.quickReads
            #expect(whole.quickReads == 0)
        }
        // The usual shapes (the first six) are read quickly, and were in the streams above.
        var usual = ChatStreamReader(clientWantsUsage: false)
        _ = try usual.events(in: ByteBuffer(string: ([first] + Self.shapes.prefix(6).map { "data: " + $0 }).joined(separator: "\n\n") + "\n\n"))
        #expect(usual.quickReads == 6 && quickReads > Self.shapes.count * 6)
    }
}
