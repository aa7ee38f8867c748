import Foundation

/// The tokens a call used, as the upstream reported them, and what they cost at a model's prices.
public struct TokenUsage: Sendable, Equatable {
    public var promptTokens: Int64
    public var completionTokens: Int64
    /// Prompt tokens the provider served from its prompt cache, billed at the cached price; part of `promptTokens`.
    public var cachedPromptTokens: Int64

    public init(promptTokens: Int64, completionTokens: Int64, cachedPromptTokens: Int64 = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    /// The cost in US dollars, exact in decimal: uncached prompt tokens at the input price, cached ones at the
    /// cached price and completion tokens at the output price, each per million.
    public func cost(at model: GatewayConfiguration.Model) -> Decimal {
        let cached = min(max(cachedPromptTokens, 0), promptTokens)
        let total =
            Decimal(promptTokens - cached) * model.inputPerMillion + Decimal(cached) * model.cachedInputPerMillion
            + Decimal(completionTokens) * model.outputPerMillion
        return total.timesPowerOfTen(-6)
    }
}
