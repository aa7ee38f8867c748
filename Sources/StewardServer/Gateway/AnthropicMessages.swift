import Foundation
import NIOCore
import StewardCore
import StewardJSON

/// Translates between OpenAI's chat completions, which clients speak to the gateway, and Anthropic's Messages API
/// (`POST /messages`), which a provider of kind `anthropic` speaks: the request one way, the answer, its errors and
/// its usage the other (the stream's events in `AnthropicStreamTranslator`). A field of the request that the
/// Messages API cannot carry is refused with a 400 naming it, never dropped: an answer the client did not ask for
/// would be worse than none.
enum AnthropicMessages {
    /// The API version sent as `anthropic-version`.
    static let version = "2023-06-01"
    /// The provider's path under its base URL.
    static let path = "/messages"

    /// The fields of a chat completion request that have a counterpart in the Messages API.
    static let translatedFields: Set<String> = [
        "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "stream", "stream_options", "user", "tools",
        "tool_choice", "parallel_tool_calls", "n", "response_format",
    ]

    /// The Messages API request for `call`, sent as `upstreamModel` with at most `maximumTokens` of output (a
    /// field the Messages API requires).
    static func request(_ call: GatewayCall, upstreamModel: String, maximumTokens: Int64) throws(StewardError) -> [UInt8] {
        guard case .chat = call.kind else {
            throw .invalidParameter("The model '\(call.model)' is served by Anthropic's Messages API, which makes no embeddings.")
        }
        let members = call.members
        if let field = members.keys.sorted().first(where: { !translatedFields.contains($0) && members[$0] != .null }) {
            throw unsupported(field, call)
        }
        if let n = members["n"], n != .null, n != .integer(1) { throw unsupported("n above 1", call) }
        if case .object(let format)? = members["response_format"], format["type"] != .string("text") {
            throw unsupported("response_format other than text", call)
        }
        var body: [String: JSONValue] = ["model": .string(upstreamModel), "max_tokens": .integer(Int(maximumTokens))]
        let (system, messages) = try conversation(call)
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        body["messages"] = .array(messages)
        for field in ["temperature", "top_p"] { if let value = members[field], value != .null { body[field] = value } }
        switch members["stop"] {
        case .string(let stop)?: body["stop_sequences"] = .array([.string(stop)])
        case .array(let stops)? where stops.allSatisfy({ if case .string = $0 { true } else { false } }): body["stop_sequences"] = .array(stops)
        case nil, .null?: break
        default: throw .invalidParameter("stop must be a text or a list of texts.")
        }
        if call.stream { body["stream"] = .bool(true) }
        if case .string(let user)? = members["user"] { body["metadata"] = .object(["user_id": .string(user)]) }
        if let tools = members["tools"], tools != .null { body["tools"] = try self.tools(tools) }
        var choice = try toolChoice(members["tool_choice"])
        if members["parallel_tool_calls"] == .bool(false) {
            var fields = choice ?? ["type": .string("auto")]
            fields["disable_parallel_tool_use"] = .bool(true)
            choice = fields
        }
        if let choice { body["tool_choice"] = .object(choice) }
        return JSONValue.object(body).encoded
    }

    /// The Messages API's answer as OpenAI's chat completion; nil when it is not a message.
    static func chatCompletion(from message: JSONValue, created: Int) -> JSONValue? {
        guard case .object(let fields) = message, fields["type"] == .string("message"), case .array(let blocks)? = fields["content"] else {
            return nil
        }
        var text: String?
        var toolCalls: [JSONValue] = []
        for block in blocks {
            guard case .object(let part) = block else { continue }
            switch part["type"] {
            case .string("text")?:
                if case .string(let piece)? = part["text"] { text = (text ?? "") + piece }
            case .string("tool_use")?:
                toolCalls.append(
                    .object([
                        "id": part["id"] ?? .null, "type": .string("function"),
                        "function": .object(["name": part["name"] ?? .null, "arguments": .string((part["input"] ?? .object([:])).description)]),
                    ]))
            default: break
            }
        }
        var reply: [String: JSONValue] = ["role": .string("assistant"), "content": text.map(JSONValue.string) ?? .null]
        if !toolCalls.isEmpty { reply["tool_calls"] = .array(toolCalls) }
        var completion: [String: JSONValue] = [
            "id": fields["id"] ?? .string("msg"), "object": .string("chat.completion"), "created": .integer(created),
            "model": fields["model"] ?? .null,
            "choices": .array([
                .object(["index": .integer(0), "message": .object(reply), "finish_reason": finishReason(fields["stop_reason"]), "logprobs": .null])
            ]),
        ]
        if let usage = usage(fields["usage"]) { completion["usage"] = usage }
        return .object(completion)
    }

    /// An error the Messages API answered (`{"type": "error", "error": {"type", "message"}}`) in OpenAI's shape.
    static func openAIError(from body: ByteBuffer, status: Int) -> ByteBuffer {
        let error = OpenAIError.body(
            translating: try? JSONValue.parse(Data(buffer: body)), type: status >= 500 ? "server_error" : "invalid_request_error",
            message: "The provider answered \(status).")
        return ByteBuffer(string: error.description)
    }

    /// A stop reason as OpenAI's finish reason.
    static func finishReason(_ reason: JSONValue?) -> JSONValue {
        switch reason {
        case .string("end_turn")?, .string("stop_sequence")?, .string("pause_turn")?: .string("stop")
        case .string("max_tokens")?, .string("model_context_window_exceeded")?: .string("length")
        case .string("tool_use")?: .string("tool_calls")
        case .string("refusal")?: .string("content_filter")
        case .string(let other)?: .string(other)
        default: .null
        }
    }

    /// The Messages API's usage in OpenAI's shape: its input tokens leave out those read from or written to the
    /// prompt cache, which OpenAI's prompt tokens include (read ones as `cached_tokens`).
    static func usage(_ value: JSONValue?) -> JSONValue? {
        guard case .object(let usage)? = value, case .integer(let input)? = usage["input_tokens"] else { return nil }
        let read = count(usage["cache_read_input_tokens"])
        let prompt = input + read + count(usage["cache_creation_input_tokens"])
        let output = count(usage["output_tokens"])
        return .object([
            "prompt_tokens": .integer(prompt), "completion_tokens": .integer(output), "total_tokens": .integer(prompt + output),
            "prompt_tokens_details": .object(["cached_tokens": .integer(read)]),
        ])
    }

    private static func count(_ value: JSONValue?) -> Int {
        if case .integer(let number)? = value, number > 0 { return number }
        return 0
    }

    private static func unsupported(_ field: String, _ call: GatewayCall) -> StewardError {
        .invalidParameter(
            "\(field) cannot be sent to the model '\(call.model)': its provider speaks Anthropic's Messages API, which has no such field.")
    }

    /// The system prompt (system and developer messages) and the turns: tool results become the user's
    /// `tool_result` blocks, an assistant's tool calls its `tool_use` blocks, and consecutive turns of one role one turn.
    private static func conversation(_ call: GatewayCall) throws(StewardError) -> (system: [String], messages: [JSONValue]) {
        guard case .array(let list)? = call.members["messages"] else { return ([], []) }
        var system: [String] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            if let last = turns.indices.last, turns[last].role == role { turns[last].blocks += blocks } else { turns.append((role, blocks)) }
        }
        for (index, message) in list.enumerated() {
            guard case .object(let fields) = message, case .string(let role)? = fields["role"] else { continue }
            let place = "messages[\(index)]"
            let content = fields["content"] ?? .null
            switch role {
            case "system", "developer":
                system.append(
                    try blocks(content, at: place).compactMap { block in
                        if case .object(let part) = block, case .string(let text)? = part["text"] { text } else { nil }
                    }.joined(separator: "\n"))
            case "user":
                add("user", try blocks(content, at: place))
            case "assistant":
                var parts = content == .null ? [] : try blocks(content, at: place)
                if case .array(let calls)? = fields["tool_calls"] {
                    for (number, toolCall) in calls.enumerated() { parts.append(try toolUse(toolCall, at: "\(place).tool_calls[\(number)]")) }
                }
                add("assistant", parts)
            case "tool":
                guard case .string(let id)? = fields["tool_call_id"] else {
                    throw .invalidParameter("\(place).tool_call_id is required for a tool message.")
                }
                let text = try blocks(content, at: place).map { block in
                    if case .object(let part) = block, let text = part["text"] { text } else { JSONValue.string("") }
                }
                add(
                    "user",
                    [
                        .object([
                            "type": .string("tool_result"), "tool_use_id": .string(id),
                            "content": .array(text.map { .object(["type": .string("text"), "text": $0]) }),
                        ])
                    ])
            default:
                throw .invalidParameter(
                    "\(place).role '\(role)' cannot be sent to the model '\(call.model)' (Anthropic's Messages API): use system, developer, user, assistant or tool."
                )
            }
        }
        return (system, turns.map { .object(["role": .string($0.role), "content": .array($0.blocks)]) })
    }

    /// A message's content as Messages API blocks: text, and images given as data or http(s) URLs.
    private static func blocks(_ content: JSONValue, at place: String) throws(StewardError) -> [JSONValue] {
        switch content {
        case .string(let text): return [.object(["type": .string("text"), "text": .string(text)])]
        case .array(let parts):
            var blocks: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                guard case .object(let fields) = part, case .string(let type)? = fields["type"] else {
                    throw .invalidParameter("\(place).content[\(index)] must be a part with a type.")
                }
                switch type {
                case "text":
                    guard case .string(let text)? = fields["text"] else { throw .invalidParameter("\(place).content[\(index)].text must be a text.") }
                    blocks.append(.object(["type": .string("text"), "text": .string(text)]))
                case "image_url":
                    guard case .object(let image)? = fields["image_url"], case .string(let url)? = image["url"] else {
                        throw .invalidParameter("\(place).content[\(index)].image_url.url must be a URL.")
                    }
                    blocks.append(.object(["type": .string("image"), "source": try imageSource(url, at: "\(place).content[\(index)]")]))
                default:
                    throw .invalidParameter("\(place).content[\(index)] is a part of type '\(type)', which Anthropic's Messages API does not take.")
                }
            }
            return blocks
        case .null: return []
        default: throw .invalidParameter("\(place).content must be a text or a list of parts.")
        }
    }

    private static func imageSource(_ url: String, at place: String) throws(StewardError) -> JSONValue {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") {
            let mediaType = url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(";base64".count)
            return .object([
                "type": .string("base64"), "media_type": .string(String(mediaType)), "data": .string(String(url[url.index(after: comma)...])),
            ])
        }
        if url.hasPrefix("https://") || url.hasPrefix("http://") { return .object(["type": .string("url"), "url": .string(url)]) }
        throw .invalidParameter("\(place) must give its image as a base64 data URL or an http(s) URL.")
    }

    private static func toolUse(_ call: JSONValue, at place: String) throws(StewardError) -> JSONValue {
        guard case .object(let fields) = call, case .string(let id)? = fields["id"], case .object(let function)? = fields["function"],
            case .string(let name)? = function["name"]
        else { throw .invalidParameter("\(place) must be {id, type: function, function: {name, arguments}}.") }
        var input: JSONValue = .object([:])
        if case .string(let arguments)? = function["arguments"], !arguments.isEmpty {
            guard case .object(let parsed)? = try? JSONValue.parse(arguments) else {
                throw .invalidParameter("\(place).function.arguments must be a JSON object in a text.")
            }
            input = .object(parsed)
        }
        return .object(["type": .string("tool_use"), "id": .string(id), "name": .string(name), "input": input])
    }

    private static func tools(_ value: JSONValue) throws(StewardError) -> JSONValue {
        guard case .array(let list) = value else { throw .invalidParameter("tools must be a list of functions.") }
        var tools: [JSONValue] = []
        for (index, tool) in list.enumerated() {
            guard case .object(let fields) = tool, fields["type"] == .string("function"), case .object(let function)? = fields["function"],
                case .string(let name)? = function["name"]
            else { throw .invalidParameter("tools[\(index)] must be {type: function, function: {name, description, parameters}}.") }
            var translated: [String: JSONValue] = [
                "name": .string(name), "input_schema": function["parameters"] ?? .object(["type": .string("object"), "properties": .object([:])]),
            ]
            if let description = function["description"], description != .null { translated["description"] = description }
            tools.append(.object(translated))
        }
        return .array(tools)
    }

    private static func toolChoice(_ value: JSONValue?) throws(StewardError) -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .string("auto")?: return ["type": .string("auto")]
        case .string("required")?: return ["type": .string("any")]
        case .string("none")?: return ["type": .string("none")]
        case .object(let fields)?:
            if case .object(let function)? = fields["function"], case .string(let name)? = function["name"] {
                return ["type": .string("tool"), "name": .string(name)]
            }
            fallthrough
        default: throw .invalidParameter("tool_choice must be auto, required, none or {type: function, function: {name}}.")
        }
    }
}
