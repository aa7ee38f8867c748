/// Hypothesis tests on category counts of a reference and a current sample, aligned category by category.
public enum CategoryTests {
    /// Pearson's chi-square of the current counts against the reference shares scaled to the current size
    /// (as Evidently calls `scipy.stats.chisquare`). A category the reference never had makes the statistic
    /// infinite and the p-value 0; a single category on both sides is no evidence of drift (p = 1).
    public static func chiSquare(reference: [Int], current: [Int]) throws(StatisticsError) -> (statistic: Double, pValue: Double) {
        _ = try DistributionDistance.shares(reference, current)
        let scale = Double(current.reduce(0, +)) / Double(reference.reduce(0, +))
        var statistic = CompensatedSum()
        for (expectedCount, observed) in zip(reference, current) {
            let expected = Double(expectedCount) * scale
            if expected == 0 {
                if observed > 0 { return (.infinity, 0) }
                continue
            }
            statistic.add((Double(observed) - expected) * (Double(observed) - expected) / expected)
        }
        guard reference.count > 1 else { return (0, 1) }
        return (statistic.value, SpecialFunctions.chiSquareSurvival(statistic.value, degrees: reference.count - 1))
    }

    /// Two-proportion z-test with pooled variance for a feature with two values; `reference` and `current` are
    /// the counts of the first and second value. z is the first sample's share of the second value minus the
    /// current's over the pooled standard error; the p-value is two-sided.
    public static func twoProportionZ(reference: (first: Int, second: Int), current: (first: Int, second: Int)) throws(StatisticsError)
        -> (statistic: Double, pValue: Double)
    {
        let referenceTotal = reference.first + reference.second
        let currentTotal = current.first + current.second
        guard referenceTotal > 0 else { throw StatisticsError("The reference has no values to compare with.") }
        guard currentTotal > 0 else { throw StatisticsError("The current sample has no values to compare.") }
        let p1 = Double(reference.second) / Double(referenceTotal)
        let p2 = Double(current.second) / Double(currentTotal)
        let pooled = (p1 * Double(referenceTotal) + p2 * Double(currentTotal)) / Double(referenceTotal + currentTotal)
        let variance = pooled * (1 - pooled) * (1 / Double(referenceTotal) + 1 / Double(currentTotal))
        guard variance > 0 else { return (0, 1) }
        let z = (p1 - p2) / variance.squareRoot()
        return (z, SpecialFunctions.twoSidedNormalTail(z))
    }
}
