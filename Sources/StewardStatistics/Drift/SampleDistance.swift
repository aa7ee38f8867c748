/// Distances computed from the samples themselves rather than from bins.
public enum SampleDistance {
    /// The first Wasserstein distance, ∫ |F_ref(x) − F_cur(x)| dx over the empirical distribution functions, in
    /// one merge of the two ascending samples (as `scipy.stats.wasserstein_distance`).
    public static func wasserstein(sortedReference reference: [Double], sortedCurrent current: [Double]) throws(StatisticsError) -> Double {
        guard !reference.isEmpty else { throw StatisticsError("The reference has no values to compare with.") }
        guard !current.isEmpty else { throw StatisticsError("The current sample has no values to compare.") }
        var left = 0
        var right = 0
        var total = CompensatedSum()
        var previous = min(reference[0], current[0])
        while left < reference.count || right < current.count {
            let value =
                left == reference.count ? current[right] : right == current.count ? reference[left] : min(reference[left], current[right])
            total.add(abs(Double(left) / Double(reference.count) - Double(right) / Double(current.count)) * (value - previous))
            while left < reference.count, reference[left] == value { left += 1 }
            while right < current.count, current[right] == value { right += 1 }
            previous = value
        }
        return total.value
    }

    /// Population standard deviation (ddof 0), two passes with compensated sums.
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let mean = CompensatedSum.of(values) / Double(values.count)
        var squares = CompensatedSum()
        for value in values { squares.add((value - mean) * (value - mean)) }
        return (squares.value / Double(values.count)).squareRoot()
    }

    /// Wasserstein distance over the reference's standard deviation, floored at 0.001 (Evidently's norm).
    public static func wassersteinNormed(sortedReference reference: [Double], sortedCurrent current: [Double]) throws(StatisticsError) -> Double {
        try wasserstein(sortedReference: reference, sortedCurrent: current) / max(standardDeviation(reference), 0.001)
    }
}
