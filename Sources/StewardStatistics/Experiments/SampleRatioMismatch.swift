/// A sample-ratio mismatch check: the units each arm received against the split its weights promise, by
/// Pearson's chi-square goodness of fit (as `scipy.stats.chisquare`). A mismatch is the usual sign that the
/// assignment path is broken (units lost on one arm, a redirect, a crash), so an experiment holds its decisions
/// while it fires. The conventional alarm is p < 0.001.
public struct SampleRatioMismatch: Sendable, Equatable {
    public let statistic: Double
    public let pValue: Double
    public static let alarmBelow = 0.001

    /// `counts` per arm, `weights` per arm in any unit (percentages); arms of weight 0 must have no units.
    public init(counts: [Int], weights: [Double]) throws(StatisticsError) {
        guard counts.count == weights.count, counts.count >= 2 else { throw StatisticsError("A split needs at least two arms, each with a weight.") }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.contains(where: { $0 > 0 }) else {
            throw StatisticsError("Weights must be non-negative and not all 0.")
        }
        let total = counts.reduce(0, +)
        guard total > 0 else { throw StatisticsError("No unit has been assigned yet.") }
        let weightSum = weights.reduce(0, +)
        var statistic = 0.0
        var arms = 0
        for (count, weight) in zip(counts, weights) {
            let expected = Double(total) * weight / weightSum
            if expected == 0 {
                // An arm that should receive nothing but did is a mismatch beyond any test.
                if count > 0 { statistic = .infinity }
                continue
            }
            arms += 1
            statistic += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        self.statistic = statistic
        pValue = statistic.isInfinite ? 0 : (arms >= 2 ? SpecialFunctions.chiSquareSurvival(statistic, degrees: arms - 1) : 1)
    }

    public var fires: Bool { pValue < Self.alarmBelow }
}
