import Foundation

/// Distances between a reference and a current distribution given as counts over the same bins or categories,
/// natural logarithms throughout. The empty-bin rule is Evidently's, so thresholds carry over: for PSI and KL a
/// zero share becomes 1e-4, or a millionth of the smallest non-zero share when that is at most 1e-4; JS and
/// Hellinger need no filling.
public enum DistributionDistance {
    public static func psi(reference: [Int], current: [Int]) throws(StatisticsError) -> Double {
        let (expected, actual) = try filledShares(reference, current)
        var total = CompensatedSum()
        for (share, observed) in zip(expected, actual) { total.add((share - observed) * log(share / observed)) }
        return total.value
    }

    /// KL(reference ‖ current) of the filled shares, each renormalised to sum to one (as `scipy.stats.entropy`).
    public static func kullbackLeibler(reference: [Int], current: [Int]) throws(StatisticsError) -> Double {
        let (expected, actual) = try filledShares(reference, current)
        let expectedTotal = CompensatedSum.of(expected)
        let actualTotal = CompensatedSum.of(actual)
        var total = CompensatedSum()
        for (share, observed) in zip(expected, actual) {
            let p = share / expectedTotal
            total.add(p * log(p / (observed / actualTotal)))
        }
        return total.value
    }

    /// √(JS divergence), the Jensen–Shannon distance of `scipy.spatial.distance.jensenshannon`.
    public static func jensenShannon(reference: [Int], current: [Int]) throws(StatisticsError) -> Double {
        let (p, q) = try shares(reference, current)
        var total = CompensatedSum()
        for (left, right) in zip(p, q) {
            let middle = (left + right) / 2
            if left > 0 { total.add(left * log(left / middle)) }
            if right > 0 { total.add(right * log(right / middle)) }
        }
        return (max(total.value, 0) / 2).squareRoot()
    }

    /// √(1 − Σ √(r·c)) with the Bhattacharyya coefficient clipped to [0, 1].
    public static func hellinger(reference: [Int], current: [Int]) throws(StatisticsError) -> Double {
        let (p, q) = try shares(reference, current)
        var coefficient = CompensatedSum()
        for (left, right) in zip(p, q) { coefficient.add((left * right).squareRoot()) }
        return (1 - min(max(coefficient.value, 0), 1)).squareRoot()
    }

    /// Each count over its sample's total.
    static func shares(_ reference: [Int], _ current: [Int]) throws(StatisticsError) -> ([Double], [Double]) {
        guard reference.count == current.count else { throw .lengthMismatch("The reference", reference.count, "the current sample", current.count) }
        let referenceTotal = reference.reduce(0, +)
        let currentTotal = current.reduce(0, +)
        guard referenceTotal > 0 else { throw StatisticsError("The reference has no values to compare with.") }
        guard currentTotal > 0 else { throw StatisticsError("The current sample has no values to compare.") }
        return (reference.map { Double($0) / Double(referenceTotal) }, current.map { Double($0) / Double(currentTotal) })
    }

    static func filledShares(_ reference: [Int], _ current: [Int]) throws(StatisticsError) -> ([Double], [Double]) {
        let (p, q) = try shares(reference, current)
        return (filled(p), filled(q))
    }

    static func filled(_ shares: [Double]) -> [Double] {
        let smallest = shares.filter { $0 > 0 }.min() ?? 1
        let fill = smallest <= 1e-4 ? smallest / 1e6 : 1e-4
        return shares.map { $0 == 0 ? fill : $0 }
    }
}
