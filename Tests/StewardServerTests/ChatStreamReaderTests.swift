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
}
