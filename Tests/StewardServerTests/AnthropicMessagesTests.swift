import Foundation
import NIOCore
import StewardCore
import StewardJSON
import Testing

@testable import StewardServer

/// Translating OpenAI's chat completions to Anthropic's Messages API and back: the request (system prompt, turns,
/// tool calls and results, images, limits), the answer and its usage, errors, and the stream's events cut anywhere.
@Suite("Anthropic Messages translation")
struct AnthropicMessagesTests {
    static func request(_ body: String, limit: Int64 = 300) throws -> [String: JSONValue] {
        let call = try GatewayCall(kind: .chat, body: Data(body.utf8))
        let text = try AnthropicMessages.request(call, upstreamModel: "claude-x", maximumTokens: limit)
        guard case .object(let members) = try JSONValue.parse(Data(text)) else { throw StewardError(.internalError, "not an object") }
        return members
    }

    @Test("System and developer messages become the system prompt; tool calls and results become tool_use and tool_result blocks")
    func conversation() throws {
        let body = try Self.request(
            #"""
            {"model": "m", "temperature": 0.2, "stop": "END", "user": "u-1", "parallel_tool_calls": false,
             "messages": [
              {"role": "system", "content": "Be brief."},
              {"role": "developer", "content": [{"type": "text", "text": "Use tools."}]},
              {"role": "user", "content": "Weather in Oslo?"},
              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "4 °C"},
              {"role": "user", "content": [{"type": "text", "text": "And this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}],
             "tools": [{"type": "function", "function": {"name": "weather", "description": "Weather now",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
             "tool_choice": "required"}
            """#)
        #expect(body["model"] == .string("claude-x") && body["max_tokens"] == .integer(300))
        #expect(body["system"] == .string("Be brief.\n\nUse tools."))
        #expect(body["temperature"] == .number(0.2) && body["stop_sequences"] == .array([.string("END")]))
        #expect(body["metadata"] == .object(["user_id": .string("u-1")]))
        #expect(body["tool_choice"] == .object(["type": .string("any"), "disable_parallel_tool_use": .bool(true)]))
        #expect(
            body["tools"]
                == .array([
                    .object([
                        "name": .string("weather"), "description": .string("Weather now"),
                        "input_schema": .object(["type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])])]),
                    ])
                ]))
        guard case .array(let turns)? = body["messages"] else { Issue.record("no messages"); return }
        // user, assistant (tool_use), user (tool_result and the next question, one turn).
        #expect(turns.count == 3)
        #expect(
            turns[1]
                == .object([
                    "role": .string("assistant"),
                    "content": .array([
                        .object([
                            "type": .string("tool_use"), "id": .string("call_1"), "name": .string("weather"),
                            "input": .object(["city": .string("Oslo")]),
                        ])
                    ]),
                ]))
        guard case .object(let last) = turns[2], case .array(let blocks)? = last["content"] else { Issue.record("no last turn"); return }
        #expect(last["role"] == .string("user") && blocks.count == 3)
        #expect(
            blocks[0]
                == .object([
                    "type": .string("tool_result"), "tool_use_id": .string("call_1"),
                    "content": .array([.object(["type": .string("text"), "text": .string("4 °C")])]),
                ]))
        #expect(
            blocks[2]
                == .object([
                    "type": .string("image"),
                    "source": .object(["type": .string("base64"), "media_type": .string("image/png"), "data": .string("iVBORw0KGgo=")]),
                ]))
    }

    @Test("A field the Messages API cannot carry is refused, naming it, and nothing is built")
    func refusals() throws {
        for (body, named) in [
            (#"{"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2}"#, "n above 1"),
            (#"{"model": "m", "messages": [{"role": "user", "content": "x"}], "logprobs": true}"#, "logprobs"),
            (#"{"model": "m", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}"#, "response_format"),
            (#"{"model": "m", "messages": [{"role": "function", "content": "x", "name": "f"}]}"#, "role 'function'"),
            (#"{"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]}"#, "input_audio"),
            (#"{"model": "m", "messages": [{"role": "tool", "content": "x"}]}"#, "tool_call_id"),
            (#"{"model": "m", "messages": [{"role": "user", "content": "x"}], "tool_choice": "sometimes"}"#, "tool_choice"),
        ] {
            let error = #expect(throws: StewardError.self) { try Self.request(body) }
            #expect(error?.code == .invalidParameterValue && error?.message.contains(named) == true, "\(error?.message ?? "")")
        }
        let embeddings = try GatewayCall(kind: .embeddings, body: Data(#"{"model": "m", "input": "x"}"#.utf8))
        #expect(throws: StewardError.self) { try AnthropicMessages.request(embeddings, upstreamModel: "c", maximumTokens: 1) }
    }

    @Test("An answer becomes a chat completion: text, tool calls, finish reason, and usage counting cache reads and writes as prompt tokens")
    func answer() throws {
        let message = try JSONValue.parse(
            #"""
            {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
             "content": [{"type": "text", "text": "Checking."}, {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Oslo"}}],
             "stop_reason": "tool_use", "stop_sequence": null,
             "usage": {"input_tokens": 100, "output_tokens": 20, "cache_read_input_tokens": 30, "cache_creation_input_tokens": 5}}
            """#)
        let completion = try #require(AnthropicMessages.chatCompletion(from: message, created: 1_700_000_000))
        guard case .object(let fields) = completion, case .array(let choices)? = fields["choices"], case .object(let choice)? = choices.first,
            case .object(let reply)? = choice["message"]
        else { Issue.record("not a completion: \(completion)"); return }
        #expect(fields["object"] == .string("chat.completion") && fields["created"] == .integer(1_700_000_000) && fields["id"] == .string("msg_1"))
        #expect(reply["content"] == .string("Checking.") && choice["finish_reason"] == .string("tool_calls"))
        #expect(
            reply["tool_calls"]
                == .array([
                    .object([
                        "id": .string("toolu_1"), "type": .string("function"),
                        "function": .object(["name": .string("weather"), "arguments": .string(#"{"city":"Oslo"}"#)]),
                    ])
                ]))
        let usage = try #require(ReportedUsage.read(completion))
        #expect(usage == TokenUsage(promptTokens: 135, completionTokens: 20, cachedPromptTokens: 30))
        #expect(AnthropicMessages.chatCompletion(from: .object(["type": .string("error")]), created: 0) == nil)
    }

    @Test("An error answer becomes OpenAI's error body with the provider's type and message")
    func error() throws {
        let body = AnthropicMessages.openAIError(
            from: ByteBuffer(string: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#), status: 529)
        #expect(
            try JSONValue.parse(Data(buffer: body))
                == .object([
                    "error": .object(["message": .string("Overloaded"), "type": .string("overloaded_error"), "param": .null, "code": .null])
                ]))
        let unreadable = AnthropicMessages.openAIError(from: ByteBuffer(string: "<html>"), status: 502)
        #expect(String(buffer: unreadable).contains("server_error"))
    }

    static let events = #"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"usage":{"input_tokens":25,"cache_read_input_tokens":10,"output_tokens":1}}}

        event: ping
        data: {"type":"ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" world"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_2","name":"weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"Oslo\"}"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":17}}

        event: message_stop
        data: {"type":"message_stop"}


        """#

    /// Translates `stream` fed in pieces of `size` bytes and reads the result as the gateway does.
    static func translate(_ stream: String, size: Int) throws -> (sent: String, reader: ChatStreamReader) {
        var translator = AnthropicStreamTranslator(created: 7)
        var reader = ChatStreamReader(clientWantsUsage: true)
        var sent = ""
        let bytes = Array(stream.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + size, bytes.count)
            if let chunk = try translator.translate(ByteBuffer(bytes: bytes[start..<end])), let events = try reader.events(in: chunk) {
                sent += String(buffer: events)
            }
            start = end
        }
        return (sent, reader)
    }

    @Test("A stream cut anywhere becomes the same OpenAI chunks: text, tool call pieces, finish reason, usage, [DONE]")
    func stream() throws {
        let (whole, _) = try Self.translate(Self.events, size: 1 << 20)
        for size in [1, 3, 17, 200] {
            let (sent, reader) = try Self.translate(Self.events, size: size)
            #expect(sent == whole, "pieces of \(size)")
            #expect(reader.usage == TokenUsage(promptTokens: 35, completionTokens: 17, cachedPromptTokens: 10))
            #expect(reader.finishReason == "tool_calls" && reader.completionText == "Hello world")
        }
        let chunks = whole.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { String($0.dropFirst("data: ".count)) }
        #expect(chunks.last == "[DONE]")
        let parsed = try chunks.dropLast().map { try JSONValue.parse($0) }
        // role, two texts, the tool call's start and two pieces of its arguments, the finish, the usage.
        #expect(parsed.count == 8)
        let arguments = parsed.compactMap { chunk -> String? in
            guard case .object(let fields) = chunk, case .array(let choices)? = fields["choices"], case .object(let choice)? = choices.first,
                case .object(let delta)? = choice["delta"], case .array(let calls)? = delta["tool_calls"], case .object(let call)? = calls.first,
                call["index"] == .integer(0), case .object(let function)? = call["function"], case .string(let piece)? = function["arguments"]
            else { return nil }
            return piece
        }
        #expect(arguments.joined() == #"{"city": "Oslo"}"#)
    }

    @Test("An error event becomes an OpenAI error chunk, which the SDKs raise")
    func streamError() throws {
        let (sent, _) = try Self.translate(
            #"event: error"# + "\n" + #"data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"# + "\n\n", size: 9)
        #expect(sent.contains(#""message":"Overloaded""#) && sent.hasPrefix(#"data: {"error":"#))
    }
}
