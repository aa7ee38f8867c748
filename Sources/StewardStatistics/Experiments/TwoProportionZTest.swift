/// The fixed-horizon two-proportion z-test with a pooled standard error, for a rate (errors, conversions) of a
/// challenger against a control: z = (p̂₂ − p̂₁) / √(p̂(1 − p̂)(1/n₁ + 1/n₂)), p̂ the pooled rate, and its
/// two-sided p-value. Valid only when read once, at a sample size fixed in advance; `MixtureSPRT` is the test to
/// watch as data arrives.
public struct TwoProportionZTest: Sendable, Equatable {
    public let controlRate: Double
    public let challengerRate: Double
    public let z: Double
    public let pValue: Double

    /// Refused when an arm has no trials, a count is negative or above its trials, or both arms have the same
    /// rate of 0 or 1 (no variance: the statistic is undefined).
    public init(controlSuccesses: Int, controlTrials: Int, challengerSuccesses: Int, challengerTrials: Int) throws(StatisticsError) {
        guard controlTrials > 0, challengerTrials > 0 else { throw StatisticsError("Both arms need at least one unit.") }
        guard (0...controlTrials).contains(controlSuccesses), (0...challengerTrials).contains(challengerSuccesses) else {
            throw StatisticsError("A count of successes must be between 0 and the arm's units.")
        }
        let (n1, n2) = (Double(controlTrials), Double(challengerTrials))
        controlRate = Double(controlSuccesses) / n1
        challengerRate = Double(challengerSuccesses) / n2
        let pooled = Double(controlSuccesses + challengerSuccesses) / (n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        guard variance > 0 else { throw StatisticsError("Both arms have the same rate of \(pooled): the z-test is undefined.") }
        z = (challengerRate - controlRate) / variance.squareRoot()
        pValue = SpecialFunctions.twoSidedNormalTail(z)
    }
}
