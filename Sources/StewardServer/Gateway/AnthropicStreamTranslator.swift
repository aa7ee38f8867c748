import Foundation
import NIOCore
import StewardJSON

/// Turns the events of a Messages API stream (Anthropic's) into OpenAI's chat completion chunks as they arrive, so
/// the client reads the stream it would read from OpenAI and the gateway charges it as it charges any other: text
/// deltas become content, tool uses and their JSON become tool calls, the stop reason a finish reason, and the
/// usage (input tokens at the start, output tokens at the end) the last chunk before `[DONE]`, which the gateway
/// passes on when the client asked for it.
struct AnthropicStreamTranslator {
    private var splitter = ServerSentEventSplitter()
    private let created: Int
    private var id: JSONValue = .string("msg")
    private var model: JSONValue = .null
    /// The usage fields reported so far (the start's and the end's, merged).
    private var usage: [String: JSONValue] = [:]
    /// The tool call index, in OpenAI's numbering, of each content block that is a tool use.
    private var toolCalls: [Int: Int] = [:]

    init(created: Int) {
        self.created = created
    }

    /// The chunks for the complete events in `chunk` (with what came before).
    mutating func translate(_ chunk: ByteBuffer) throws(ServerSentEventSplitter.Failure) -> ByteBuffer? {
        try splitter.append(chunk)
        var output = ByteBuffer()
        while let event = splitter.next() { translate(event: ServerSentEventSplitter.data(of: event), into: &output) }
        return output.readableBytes > 0 ? output : nil
    }

    private mutating func translate(event data: [UInt8], into output: inout ByteBuffer) {
        guard case .success(.object(let event)) = JSONValue.decode(Data(data)), case .string(let type)? = event["type"] else { return }
        switch type {
        case "message_start":
            if case .object(let message)? = event["message"] {
                id = message["id"] ?? id
                model = message["model"] ?? model
                merge(message["usage"])
            }
            write(["role": .string("assistant"), "content": .string("")], into: &output)
        case "content_block_start":
            guard case .object(let block)? = event["content_block"], case .integer(let index)? = event["index"] else { return }
            if block["type"] == .string("tool_use") {
                let number = toolCalls.count
                toolCalls[index] = number
                let call: JSONValue = .object([
                    "index": .integer(number), "id": block["id"] ?? .null, "type": .string("function"),
                    "function": .object(["name": block["name"] ?? .null, "arguments": .string("")]),
                ])
                write(["tool_calls": .array([call])], into: &output)
            } else if case .string(let text)? = block["text"], !text.isEmpty {
                write(["content": .string(text)], into: &output)
            }
        case "content_block_delta":
            guard case .object(let delta)? = event["delta"] else { return }
            if delta["type"] == .string("text_delta"), case .string(let text)? = delta["text"] {
                write(["content": .string(text)], into: &output)
            } else if delta["type"] == .string("input_json_delta"), case .integer(let index)? = event["index"], let number = toolCalls[index],
                case .string(let json)? = delta["partial_json"]
            {
                let call: JSONValue = .object(["index": .integer(number), "function": .object(["arguments": .string(json)])])
                write(["tool_calls": .array([call])], into: &output)
            }
        case "message_delta":
            merge(event["usage"])
            if case .object(let delta)? = event["delta"], let reason = delta["stop_reason"], reason != .null {
                write([:], finishReason: AnthropicMessages.finishReason(reason), into: &output)
            }
        case "message_stop":
            if let usage = AnthropicMessages.usage(.object(usage)) {
                send(
                    .object([
                        "id": id, "object": .string("chat.completion.chunk"), "created": .integer(created), "model": model, "choices": .array([]),
                        "usage": usage,
                    ]), into: &output)
            }
            output.writeString("data: [DONE]\n\n")
        case "error":
            send(
                OpenAIError.body(translating: .object(event), type: "server_error", message: "The provider broke off its stream."), into: &output)
        default:
            break  // ping, and events this translation does not know
        }
    }

    private mutating func merge(_ value: JSONValue?) {
        guard case .object(let fields)? = value else { return }
        for (name, count) in fields where count != .null { usage[name] = count }
    }

    private func write(_ delta: [String: JSONValue], finishReason: JSONValue = .null, into output: inout ByteBuffer) {
        send(
            .object([
                "id": id, "object": .string("chat.completion.chunk"), "created": .integer(created), "model": model,
                "choices": .array([.object(["index": .integer(0), "delta": .object(delta), "finish_reason": finishReason])]),
            ]), into: &output)
    }

    private func send(_ chunk: JSONValue, into output: inout ByteBuffer) {
        output.writeString("data: ")
        output.writeString(chunk.description)
        output.writeString("\n\n")
    }
}
