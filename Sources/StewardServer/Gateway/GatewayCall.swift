import Foundation
import StewardCore
import StewardJSON

/// A chat-completion or embedding request, read and checked before anything is forwarded: the body must be a
/// JSON object with a `model`; the fields Steward reads or that change what is charged must have OpenAI's types
/// and ranges, and so must the other fields of OpenAI's request that change the answer (tools, response_format,
/// seed, stop, …; a 400 names the field otherwise, and nothing is forwarded or charged). Fields OpenAI's request
/// does not have go to the provider as they came: OpenAI-compatible servers take their own (vLLM's `top_k`, …).
struct GatewayCall: Sendable {
    enum Kind: Sendable {
        case chat
        case embeddings

        /// The provider's path under its base URL.
        var path: String {
            switch self {
            case .chat: "/chat/completions"
            case .embeddings: "/embeddings"
            }
        }
    }

    let kind: Kind
    let model: String
    let members: [String: JSONValue]
    let stream: Bool
    /// Whether the client asked for the stream's usage chunk (`stream_options.include_usage`); Steward always asks
    /// the provider for it, and passes it on only then.
    let clientWantsUsage: Bool
    /// Characters of the prompt (message contents, or the embedding input), for estimating tokens when a provider
    /// reports no usage.
    let promptCharacters: Int
    /// The prompt's text (message contents, or the embedding input), for the safety checks.
    let promptText: String
    let messageCount: Int
    /// The size of the request's body, which the body sent on and the cache key's text are about the size of.
    let byteCount: Int
    /// No fewer prompt tokens than any provider will count for this request's text: a token covers at least one
    /// byte of text, and the request's bytes (messages, tools, schemas) hold all of it, with a few tokens a message of
    /// framing, and 1,024 for the instructions a provider adds when tools are offered (Anthropic's tool-use prompt is
    /// about 350). Images count apart (`promptTokenBound(for:)`).
    let promptTokenBound: Int64
    /// Images in the messages (`image_url` parts), each counting up to the model's `tokensPerImage`.
    let imageCount: Int
    /// The completion tokens asked for (`max_completion_tokens`, else `max_tokens`) per choice; nil for no limit.
    let requestedCompletionTokens: Int64?
    /// Choices asked for (`n`).
    let choices: Int64
    /// The registered prompt the call names, rendered before it is forwarded (`rendered(_:)`).
    let prompt: PromptReference?

    /// The end user the client named (`user`), if it did.
    var user: String? {
        if case .string(let user)? = members["user"] { user } else { nil }
    }

    init(kind: Kind, body: Data) throws(StewardError) {
        let value: JSONValue
        switch JSONValue.decode(body, refusingDuplicateMembers: true) {
        case .success(let parsed): value = parsed
        case .failure(let problem): throw .invalidParameter("The request body is not valid JSON: \(problem.message).")
        }
        guard case .object(let members) = value else { throw .invalidParameter("The request body must be a JSON object.") }
        guard case .string(let model)? = members["model"], !model.isEmpty else {
            throw .invalidParameter("model is required: the name of a model this key may use (GET /v1/models lists them).")
        }
        guard model.count <= 128, !model.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidParameter("model must be a model's name: at most 128 characters, without control characters.")
        }
        self.kind = kind
        self.model = model
        self.members = members
        byteCount = body.count
        var characters = 0
        var messages = 0
        var images = 0
        var text = ""
        // The prompt's text is at most the body's size: one allocation instead of one per doubling.
        text.reserveCapacity(body.count)
        switch kind {
        case .chat:
            if let reference = members["prompt"] { prompt = try Self.promptReference(reference) } else { prompt = nil }
            let list: [JSONValue]
            switch members["messages"] {
            case .array(let given)? where !given.isEmpty || prompt != nil: list = given
            case nil where prompt != nil: list = []
            default:
                throw .invalidParameter("messages is required: a non-empty list of {role, content} (or a registered prompt, as prompt).")
            }
            for (index, message) in list.enumerated() {
                guard case .object(let fields) = message, case .string(let role)? = fields["role"] else {
                    throw .invalidParameter("messages[\(index)] must be an object with a role.")
                }
                try Self.checkMessage(fields, role: role, at: index)
                if case .array(let parts)? = fields["content"] {
                    images += parts.count { part in
                        guard case .object(let members) = part, case .string(let type)? = members["type"] else { return false }
                        return type == "image_url" || type == "image"
                    }
                }
                characters += Self.characters(in: fields["content"] ?? .null)
                Self.collectText(fields["content"] ?? .null, into: &text)
            }
            messages = list.count
            try Self.check(members, "stream", "a boolean", Self.isBool)
            try Self.check(members, "n", "a whole number from 1 to 128") { Self.integer($0, in: 1...128) }
            try Self.check(members, "max_tokens", "a whole number from 1 to 1000000") { Self.integer($0, in: 1...1_000_000) }
            try Self.check(members, "max_completion_tokens", "a whole number from 1 to 1000000") { Self.integer($0, in: 1...1_000_000) }
            try Self.check(members, "temperature", "a number from 0 to 2") { Self.number($0, in: 0...2) }
            try Self.check(members, "top_p", "a number from 0 to 1") { Self.number($0, in: 0...1) }
            try Self.check(members, "stream_options", "an object such as {\"include_usage\": true}") { option in
                guard case .object(let fields) = option else { return false }
                if let usage = fields["include_usage"], case .bool = usage { return true }
                return fields["include_usage"] == nil
            }
            try Self.checkChatFields(members)
        case .embeddings:
            guard let input = members["input"], Self.isEmbeddingInput(input) else {
                throw .invalidParameter("input is required: a text, a list of texts, or token lists.")
            }
            characters = Self.characters(in: input)
            Self.collectText(input, into: &text)
            prompt = nil
            if let field = ["stream", "stream_options", "n", "max_tokens", "max_completion_tokens", "messages", "prompt"].first(where: {
                members[$0] != nil
            }) {
                throw .invalidParameter("\(field) is not a field of an embeddings request.")
            }
            try Self.check(members, "dimensions", "a whole number from 1 to 65536") { Self.integer($0, in: 1...65536) }
            try Self.check(members, "encoding_format", "float or base64") { $0 == .string("float") || $0 == .string("base64") }
        }
        try Self.check(members, "user", "a text", Self.isText)
        stream = members["stream"] == .bool(true)
        if case .object(let options)? = members["stream_options"], options["include_usage"] == .bool(true) {
            clientWantsUsage = true
        } else {
            clientWantsUsage = false
        }
        promptCharacters = characters
        promptText = text
        messageCount = messages
        imageCount = images
        let offersTools = members["tools"].map { if case .array(let tools) = $0 { !tools.isEmpty } else { false } } ?? false
        promptTokenBound = Int64(body.count) + 16 + 4 * Int64(messages) + (offersTools ? 1024 : 0)
        switch kind {
        case .chat:
            if case .integer(let limit)? = members["max_completion_tokens"] {
                requestedCompletionTokens = Int64(limit)
            } else if case .integer(let limit)? = members["max_tokens"] {
                requestedCompletionTokens = Int64(limit)
            } else {
                requestedCompletionTokens = nil
            }
        case .embeddings: requestedCompletionTokens = 0
        }
        if case .integer(let count)? = members["n"] { choices = Int64(count) } else { choices = 1 }
    }

    /// No fewer prompt tokens than `model` will count for this request: its text's bound and each image at the
    /// most the model counts for one.
    func promptTokenBound(for model: GatewayConfiguration.Model) -> Int64 {
        // At most a million tokens an image, and fewer images than the body's bytes: no overflow.
        promptTokenBound + Int64(imageCount) * model.tokensPerImage
    }

    /// The body sent to a provider for `upstreamModel`: the client's, with the provider's model name, and for a
    /// stream the usage chunk asked for (what the call is charged from). A budget's lower limit goes in the field
    /// the client set it in, else in `limitField` (the model's `completionLimitField`).
    func upstreamBody(model upstreamModel: String, maximumCompletionTokens: Int64? = nil, limitField: String = "max_tokens") -> [UInt8] {
        var members = members
        members["model"] = .string(upstreamModel)
        if case .chat = kind, let maximumCompletionTokens, maximumCompletionTokens != requestedCompletionTokens {
            // A budget allows no more: the limit the client set, lowered, or the model's field for it.
            let field =
                members["max_completion_tokens"].map { $0 != .null } == true
                ? "max_completion_tokens" : members["max_tokens"].map { $0 != .null } == true ? "max_tokens" : limitField
            members[field] = .integer(Int(maximumCompletionTokens))
        }
        if stream {
            var options: [String: JSONValue] = [:]
            if case .object(let given)? = members["stream_options"] { options = given }
            options["include_usage"] = .bool(true)
            members["stream_options"] = .object(options)
        }
        return JSONValue.object(members).encoded(reservingCapacity: byteCount + 64)
    }

    /// The call with its registered prompt rendered: the prompt's messages first, then the call's own, and no
    /// `prompt` field (which no provider knows).
    func rendered(_ messages: [PromptTemplate.ChatMessage]) throws(StewardError) -> GatewayCall {
        var members = members
        members["prompt"] = nil
        var list = messages.map { JSONValue.object(["role": .string($0.role), "content": .string($0.content)]) }
        if case .array(let given)? = self.members["messages"] { list += given }
        members["messages"] = .array(list)
        return try GatewayCall(kind: kind, body: Data(JSONValue.object(members).encoded))
    }

    /// Reads `prompt`: `{"name", "version" or "alias", "variables": {name: value}}`; values may be texts, numbers
    /// or booleans (sent as their JSON text).
    static func promptReference(_ value: JSONValue) throws(StewardError) -> PromptReference {
        let shape = #"prompt must be an object such as {"name": "summarizer", "alias": "production", "variables": {"text": "…"}}"#
        guard case .object(let fields) = value else { throw .invalidParameter("\(shape).") }
        if let unknown = fields.keys.sorted().first(where: { !["name", "version", "alias", "variables"].contains($0) }) {
            throw .invalidParameter("prompt.\(unknown) is unknown: \(shape), or a version instead of the alias.")
        }
        guard case .string(let name)? = fields["name"], !name.isEmpty else { throw .invalidParameter("prompt.name is required: \(shape).") }
        var version: String?
        switch fields["version"] {
        case nil, .null?: version = nil
        case .integer(let number)? where number >= 1: version = String(number)
        case .string(let text)? where Int(text).map({ $0 >= 1 }) == true: version = text
        default: throw .invalidParameter("prompt.version must be a version number.")
        }
        var alias: String?
        switch fields["alias"] {
        case nil, .null?: alias = nil
        case .string(let text)? where !text.isEmpty: alias = text
        default: throw .invalidParameter("prompt.alias must be an alias's name, such as production.")
        }
        guard version == nil || alias == nil else { throw .invalidParameter("prompt takes a version or an alias, not both.") }
        var variables: [String: String] = [:]
        switch fields["variables"] {
        case nil, .null?: break
        case .object(let given)?:
            for (variable, value) in given {
                switch value {
                case .string(let text): variables[variable] = text
                case .integer, .number, .bool: variables[variable] = value.description
                default: throw .invalidParameter("prompt.variables.\(variable) must be a text, a number or a boolean.")
                }
            }
        default: throw .invalidParameter("prompt.variables must be an object of {name: value}.")
        }
        return PromptReference(name: name, version: version, alias: alias, variables: variables)
    }

    /// Whether the answer may come from the cache: embeddings always; chat completions when not sampled
    /// (`temperature` 0; OpenAI's default is 1) unless the configuration caches sampled answers too.
    func cacheable(under settings: GatewayConfiguration.Cache) -> Bool {
        if case .embeddings = kind { return true }
        if settings.cacheSampledAnswers { return true }
        switch members["temperature"] {
        case .integer(0)?, .number(0)?: return true
        default: return false
        }
    }

    /// Roughly four characters a token, the usual rule for English text: used only when a provider reports no usage.
    static func estimatedTokens(characters: Int) -> Int64 { Int64((characters + 3) / 4) }

    private static func check(_ members: [String: JSONValue], _ field: String, _ expected: String, _ valid: (JSONValue) -> Bool) throws(StewardError)
    {
        guard let value = members[field], value != .null else { return }
        guard valid(value) else { throw .invalidParameter("\(field) must be \(expected); got \(value.description.prefix(40)).") }
    }

    /// The roles a chat message may have.
    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    /// A message's role and content have OpenAI's types: content is a text, a list of parts each with a `type`,
    /// or (for an assistant's message that calls tools) absent or null.
    private static func checkMessage(_ fields: [String: JSONValue], role: String, at index: Int) throws(StewardError) {
        guard roles.contains(role) else {
            throw .invalidParameter("messages[\(index)].role must be one of \(roles.sorted().joined(separator: ", ")); got '\(role.prefix(40))'.")
        }
        switch fields["content"] {
        case .string?: return
        case .array(let parts)?:
            for (position, part) in parts.enumerated() {
                guard case .object(let members) = part, case .string? = members["type"] else {
                    throw .invalidParameter(
                        "messages[\(index)].content[\(position)] must be an object with a type, such as {\"type\": \"text\", \"text\": \"…\"}.")
                }
            }
        case nil, .null?:
            guard role == "assistant" else { throw .invalidParameter("messages[\(index)].content is required: a text or a list of parts.") }
        default:
            throw .invalidParameter("messages[\(index)].content must be a text or a list of parts.")
        }
    }

    /// The other fields of OpenAI's chat request that change the answer, when given, have its types (a provider
    /// that took a wrong type would answer, and be charged for, something the client did not ask for).
    private static func checkChatFields(_ members: [String: JSONValue]) throws(StewardError) {
        func isTyped(_ value: JSONValue) -> Bool { if case .object(let fields) = value, case .string? = fields["type"] { true } else { false } }
        try check(members, "seed", "a whole number") { if case .integer = $0 { true } else { false } }
        try check(members, "stop", "a text or a list of at most 4 texts") { value in
            if case .array(let texts) = value { return texts.count <= 4 && texts.allSatisfy(isText) }
            return isText(value)
        }
        try check(members, "presence_penalty", "a number from -2 to 2") { number($0, in: -2...2) }
        try check(members, "frequency_penalty", "a number from -2 to 2") { number($0, in: -2...2) }
        try check(members, "logprobs", "a boolean", isBool)
        try check(members, "top_logprobs", "a whole number from 0 to 20") { integer($0, in: 0...20) }
        try check(members, "logit_bias", "an object of token ids to numbers from -100 to 100") { value in
            guard case .object(let biases) = value else { return false }
            return biases.values.allSatisfy { number($0, in: -100...100) }
        }
        try check(members, "tools", "a list of tools, each an object with a type") { value in
            if case .array(let tools) = value { return tools.allSatisfy(isTyped) }
            return false
        }
        try check(members, "tool_choice", "none, auto, required or an object naming a tool") { isText($0) || isObject($0) }
        try check(members, "parallel_tool_calls", "a boolean", isBool)
        try check(members, "response_format", "an object with a type, such as {\"type\": \"json_object\"}", isTyped)
        try check(members, "store", "a boolean", isBool)
        try check(members, "metadata", "an object of texts") { value in
            if case .object(let fields) = value { return fields.values.allSatisfy(isText) }
            return false
        }
        for field in ["service_tier", "reasoning_effort", "verbosity"] { try check(members, field, "a text", isText) }
        for field in ["prediction", "audio", "web_search_options"] { try check(members, field, "an object", isObject) }
        try check(members, "modalities", "a list of texts") { value in
            if case .array(let items) = value { return items.allSatisfy(isText) }
            return false
        }
    }

    private static func isBool(_ value: JSONValue) -> Bool { if case .bool = value { true } else { false } }
    private static func isText(_ value: JSONValue) -> Bool { if case .string = value { true } else { false } }
    private static func isObject(_ value: JSONValue) -> Bool { if case .object = value { true } else { false } }

    private static func integer(_ value: JSONValue, in range: ClosedRange<Int>) -> Bool {
        if case .integer(let number) = value { return range.contains(number) }
        return false
    }

    private static func number(_ value: JSONValue, in range: ClosedRange<Double>) -> Bool {
        switch value {
        case .integer(let number): return range.contains(Double(number))
        case .number(let number): return range.contains(number)
        default: return false
        }
    }

    private static func isEmbeddingInput(_ value: JSONValue) -> Bool {
        switch value {
        case .string: return true
        case .array(let items):
            return !items.isEmpty
                && items.allSatisfy { item in
                    switch item {
                    case .string, .integer: return true
                    case .array(let tokens): return tokens.allSatisfy { if case .integer = $0 { true } else { false } }
                    default: return false
                    }
                }
        default: return false
        }
    }

    /// Appends the text in a message's content (a text, or parts with `text`) or an embedding's input, a line
    /// break between pieces (none after the last: a `max_length` check counts the characters sent).
    static func collectText(_ value: JSONValue, into text: inout String) {
        switch value {
        case .string(let part):
            if !text.isEmpty { text += "\n" }
            text += part
        case .array(let parts): for part in parts { collectText(part, into: &text) }
        case .object(let fields): if let part = fields["text"] { collectText(part, into: &text) }
        default: break
        }
    }

    /// The arguments a tool call (or a streamed piece of one) carries: `{"function": {"arguments": "…"}}`.
    static func toolArguments(_ call: JSONValue) -> String? {
        guard case .object(let fields) = call, case .object(let function)? = fields["function"], case .string(let arguments)? = function["arguments"]
        else { return nil }
        return arguments
    }

    /// Characters of text in a message's content (a text, or parts with `text`) or an embedding's input.
    private static func characters(in value: JSONValue) -> Int {
        switch value {
        case .string(let text): return text.count
        case .array(let parts): return parts.reduce(0) { $0 + characters(in: $1) }
        case .object(let fields): return fields["text"].map(characters(in:)) ?? 0
        case .integer: return 4
        default: return 0
        }
    }
}
