import Foundation

/// The mixture sequential probability ratio test of Johari, Pekelis and Walsh ("Always Valid Inference", 2017):
/// a p-value that may be read after every unit without inflating false positives, so a dashboard watched every
/// minute can stop an experiment the moment the evidence is there.
///
/// For the difference θ of two means (or rates) estimated by θ̂ with variance v = σ₁²/n₁ + σ₂²/n₂, and a normal
/// mixture θ ~ N(0, τ²) over the alternatives, the likelihood ratio against θ = 0 is
/// Λ = √(v / (v + τ²)) · exp(θ̂² τ² / (2 v (v + τ²))). By Ville's inequality P(sup Λ ≥ 1/α) ≤ α under the null, so
/// the always-valid p-value is the running minimum of 1/Λ over every look, and the test rejects once it falls below
/// α. τ is the scale of the differences worth finding: the test is most powerful for |θ| near τ.
public struct MixtureSPRT: Sendable, Equatable {
    /// τ², the variance of the mixing distribution over the difference.
    public let mixingVariance: Double

    public init(mixingVariance: Double) throws(StatisticsError) {
        guard mixingVariance > 0, mixingVariance.isFinite else { throw StatisticsError("The mixing variance τ² must be positive.") }
        self.mixingVariance = mixingVariance
    }

    /// Λ for the estimate `difference` (challenger minus control) with variance `variance`; nil when the variance
    /// is not positive (too few units, or no spread yet), which is inconclusive rather than evidence.
    public func likelihoodRatio(difference: Double, variance: Double) -> Double? {
        guard variance > 0, variance.isFinite, difference.isFinite else { return nil }
        let total = variance + mixingVariance
        return (variance / total).squareRoot() * exp(difference * difference * mixingVariance / (2 * variance * total))
    }

    /// Λ for two arms' summaries (rates as 0/1 values, or any metric's moments).
    public func likelihoodRatio(control: SampleMoments, challenger: SampleMoments) -> Double? {
        guard control.count >= 2, challenger.count >= 2 else { return nil }
        return likelihoodRatio(
            difference: challenger.mean - control.mean,
            variance: control.variance / Double(control.count) + challenger.variance / Double(challenger.count))
    }

    /// The always-valid p-value after one more look: the smaller of the previous one and 1/Λ (never above 1).
    public static func pValue(previous: Double = 1, likelihoodRatio: Double?) -> Double {
        guard let likelihoodRatio, likelihoodRatio > 0 else { return min(previous, 1) }
        return min(previous, 1, 1 / likelihoodRatio)
    }
}
