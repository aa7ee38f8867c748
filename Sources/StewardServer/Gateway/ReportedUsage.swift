import StewardCore
import StewardJSON

/// The usage a provider reports in OpenAI's shape (`usage: {prompt_tokens, completion_tokens,
/// prompt_tokens_details: {cached_tokens}}`), in an answer or a stream's last chunk.
enum ReportedUsage {
    /// The usage in `answer`, nil when it has none.
    static func read(_ answer: JSONValue) -> TokenUsage? {
        guard case .object(let members) = answer, case .object(let usage)? = members["usage"] else { return nil }
        guard let prompt = count(usage["prompt_tokens"]) else { return nil }
        var cached: Int64 = 0
        if case .object(let details)? = usage["prompt_tokens_details"], let value = count(details["cached_tokens"]) { cached = value }
        return TokenUsage(promptTokens: prompt, completionTokens: count(usage["completion_tokens"]) ?? 0, cachedPromptTokens: cached)
    }

    private static func count(_ value: JSONValue?) -> Int64? {
        if case .integer(let number)? = value, number >= 0 { return Int64(number) }
        return nil
    }
}
