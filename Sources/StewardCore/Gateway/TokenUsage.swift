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

    /// The cost in picodollars, exact: uncached prompt tokens at the input price, cached ones at the cached price
    /// and completion tokens at the output price (counts below 0 count as 0; saturates at Int64's maximum, more
    /// than nine million dollars).
    public func picodollars(at model: GatewayConfiguration.Model) -> Int64 {
        let prompt = max(promptTokens, 0)
        let cached = min(max(cachedPromptTokens, 0), prompt)
        return Picodollars.sum(
            Picodollars.sum(
                Picodollars.product(prompt - cached, model.inputPicodollarsPerToken),
                Picodollars.product(cached, model.cachedInputPicodollarsPerToken)),
            Picodollars.product(max(completionTokens, 0), model.outputPicodollarsPerToken))
    }

    /// The cost in US dollars, exact in decimal.
    public func cost(at model: GatewayConfiguration.Model) -> Decimal {
        Picodollars.dollars(picodollars(at: model))
    }
}
