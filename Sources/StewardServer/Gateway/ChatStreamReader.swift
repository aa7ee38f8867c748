import Foundation
import NIOCore
import StewardCore
import StewardJSON

/// Reads a provider's server-sent events as they arrive: hands back each complete event to pass on to the client,
/// notes the usage the last chunk reports and the characters of completion text sent (what a stream cut short is
/// charged by), and holds back the usage-only chunk when the client did not ask for it (Steward always asks).
struct ChatStreamReader {
    let clientWantsUsage: Bool
    /// Whether an event of the usual shape is read for its few members only (`quickRead`); off, every event is read
    /// whole (the tests compare the two).
    let quickReading: Bool
    private(set) var usage: TokenUsage?
    private(set) var completionCharacters = 0
    private(set) var finishReason: String?
    /// Events read for their few members only (`quickRead`).
    private(set) var quickReads = 0
    /// The completion text sent, for the judge and the cache (up to 4 MiB).
    private(set) var completionText = ""
    /// What the safety checks have not seen yet (`takeUncheckedText`): the completion text and the arguments of
    /// tool calls read since they last looked.
    private var uncheckedText = ""
    /// The stream as one chat completion, for the answer cache: built while the stream has one choice of text.
    private var assembled: (id: JSONValue?, created: JSONValue?, model: JSONValue?, text: String)? = (nil, nil, nil, "")
    private var splitter = ServerSentEventSplitter()

    init(clientWantsUsage: Bool, quickReading: Bool = true) {
        self.clientWantsUsage = clientWantsUsage
        self.quickReading = quickReading
    }

    /// The complete events in `chunk` (with what came before), each with its blank line, ready to send.
    mutating func events(in chunk: ByteBuffer) throws(ServerSentEventSplitter.Failure) -> ByteBuffer? {
        try splitter.append(chunk)
        var output = ByteBuffer()
        while let event = splitter.next() {
            if keep(event) { output.writeBytes(event) }
        }
        return output.readableBytes > 0 ? output : nil
    }

    /// The whole stream as a chat completion with one choice of text, when it was one and ended with a reason and
    /// its usage; nil otherwise (tool calls, several choices, cut short).
    var completion: JSONValue? {
        guard let assembled, let finishReason, let usage else { return nil }
        var usageFields: [String: JSONValue] = [
            "prompt_tokens": .integer(Int(usage.promptTokens)), "completion_tokens": .integer(Int(usage.completionTokens)),
            "total_tokens": .integer(Int(usage.promptTokens + usage.completionTokens)),
        ]
        if usage.cachedPromptTokens > 0 { usageFields["prompt_tokens_details"] = .object(["cached_tokens": .integer(Int(usage.cachedPromptTokens))]) }
        return .object([
            "id": assembled.id ?? .string("chatcmpl-steward"), "object": .string("chat.completion"), "created": assembled.created ?? .integer(0),
            "model": assembled.model ?? .null,
            "choices": .array([
                .object([
                    "index": .integer(0), "message": .object(["role": .string("assistant"), "content": .string(assembled.text)]),
                    "finish_reason": .string(finishReason),
                ])
            ]),
            "usage": .object(usageFields),
        ])
    }

    /// Whatever came after the last complete event, sent as it is when the stream ends.
    var remainder: ByteBuffer? { splitter.remainder }

    /// A chunk of the usual shape, read for what it says and no more: one choice, index 0, whose delta holds at most
    /// a role and text, and no usage; and not the first chunk (whose id, created and model the answer cache keeps).
    /// Nil for any other chunk (or text that is not JSON), which is then read whole. Reading every chunk whole was
    /// 22% of a streamed call's CPU time (`bench/gateway.py` under `perf`, 16 connections).
    private func quickRead(_ data: [UInt8]) -> (text: String?, finishReason: String?)? {
        guard quickReading, assembled == nil || assembled?.id != nil else { return nil }
        let read = data.withUnsafeBytes { bytes in
            JSONPullReader.read(bytes) { reader throws(JSONError) -> (text: String?, finishReason: String?)? in
                var choice: (text: String?, finishReason: String?)?
                try reader.beginObject()
                while let member = try reader.nextMember() {
                    switch member {
                    case "choices":
                        guard choice == nil else { return nil }
                        try reader.beginArray()
                        guard try reader.nextElement() else { return nil }
                        var text: String?
                        var finishReason: String?
                        var indexZero = false
                        var sawDelta = false
                        try reader.beginObject()
                        while let field = try reader.nextMember() {
                            switch field {
                            case "index":
                                guard try reader.value() == .integer(0), !indexZero else { return nil }
                                indexZero = true
                            case "delta":
                                guard !sawDelta else { return nil }
                                sawDelta = true
                                try reader.beginObject()
                                while let part = try reader.nextMember() {
                                    switch part {
                                    case "role": _ = try reader.value()
                                    case "content": if !(try reader.null()) { guard text == nil else { return nil }; text = try reader.string() }
                                    default: return nil
                                    }
                                }
                            case "finish_reason":
                                if !(try reader.null()) { finishReason = try reader.string() }
                            default:
                                _ = try reader.value()
                            }
                        }
                        guard indexZero, !(try reader.nextElement()) else { return nil }
                        choice = (text, finishReason)
                    case "usage":
                        guard try reader.null() else { return nil }
                    default:
                        _ = try reader.value()
                    }
                }
                return choice
            }
        }
        guard case .success(let choice?) = read else { return nil }
        return choice
    }

    /// Reads one event's data; false for the usage-only chunk the client did not ask for.
    private mutating func keep(_ event: ArraySlice<UInt8>) -> Bool {
        let data = ServerSentEventSplitter.data(of: event)
        if let quick = quickRead(data) {
            quickReads += 1
            if let text = quick.text { add(text) }
            if let reason = quick.finishReason { finishReason = reason }
            return true
        }
        guard !data.isEmpty, data != Array("[DONE]".utf8), case .success(let chunk) = JSONValue.decode(.init(data)),
            case .object(let members) = chunk
        else { return true }
        if let reported = ReportedUsage.read(chunk) { usage = reported }
        if assembled != nil, assembled?.id == nil {
            assembled?.id = members["id"]
            assembled?.created = members["created"]
            assembled?.model = members["model"]
        }
        var hasChoices = false
        if case .array(let choices)? = members["choices"] {
            for choice in choices {
                guard case .object(let fields) = choice else { continue }
                hasChoices = true
                if fields["index"] != .integer(0) { assembled = nil }
                if case .object(let delta)? = fields["delta"] {
                    if case .string(let text)? = delta["content"] { add(text) }
                    if case .array(let calls)? = delta["tool_calls"] {
                        completionCharacters += JSONValue.array(calls).description.count
                        for call in calls { uncheckedText += GatewayCall.toolArguments(call) ?? "" }
                        assembled = nil
                    }
                    if let call = delta["function_call"] {
                        uncheckedText += GatewayCall.toolArguments(.object(["function": call])) ?? ""
                        assembled = nil
                    }
                    if delta["refusal"].map({ $0 != .null }) == true { assembled = nil }
                }
                if case .string(let reason)? = fields["finish_reason"] { finishReason = reason }
            }
        }
        return clientWantsUsage || hasChoices || members["usage"] == nil || members["usage"] == .null
    }

    /// What the stream added since the last call, for the safety checks (`StreamedAnswerCheck`).
    mutating func takeUncheckedText() -> String {
        defer { uncheckedText = "" }
        return uncheckedText
    }

    /// Counts a chunk's completion text, and keeps it for the safety checks, the judge and the answer cache.
    private mutating func add(_ text: String) {
        completionCharacters += text.count
        uncheckedText += text
        if completionText.utf8.count < ServerSentEventSplitter.largestEvent { completionText += text }
        assembled?.text += text
        if assembled?.text.utf8.count ?? 0 > GatewayAnswerCache.largestAnswer { assembled = nil }
    }
}
