import Foundation

/// The two-sample Kolmogorov–Smirnov test, two-sided, computed as `scipy.stats.ks_2samp(reference, current)` does
/// with its defaults, so drift verdicts agree with Python tooling: an exact p-value (lattice-path counting) while both
/// samples have at most 10 000 values, the one-sample Kolmogorov distribution at n = round(m·n/(m + n)) above that,
/// and also whenever the exact computation does not give a probability in [0, 1].
public struct KolmogorovSmirnov: Sendable, Equatable {
    /// How the p-value was computed.
    public enum Method: String, Sendable {
        /// The exact null distribution of D for these two sample sizes.
        case exact
        /// The one-sample Kolmogorov distribution at the effective size m·n/(m + n).
        case asymptotic
    }

    /// D = sup |F_ref − F_cur|, the largest distance between the two empirical distribution functions.
    public let statistic: Double
    /// P(D ≥ statistic) when both samples come from one continuous distribution.
    public let pValue: Double
    /// Which computation gave `pValue`.
    public let method: Method

    /// Largest sample size for which the exact p-value is computed (SciPy's `MAX_AUTO_N`).
    static let exactLimit = 10_000

    /// Both samples sorted ascending (callers sort once and reuse the order for other statistics).
    public init(sortedReference: [Double], sortedCurrent: [Double]) throws(StatisticsError) {
        try Self.validate(sortedReference, name: "reference", sorted: true)
        try Self.validate(sortedCurrent, name: "current", sorted: true)
        let m = sortedReference.count
        let n = sortedCurrent.count
        var distance = Self.largestDistance(sortedReference, sortedCurrent)

        if max(m, n) <= Self.exactLimit {
            // D is a multiple of 1/lcm(m, n); the exact count works with that integer, and reports D as h/lcm.
            let divisor = Self.greatestCommonDivisor(m, n)
            let lcm = (m / divisor) * n
            let steps = Int((distance * Double(lcm)).rounded(.toNearestOrEven))
            distance = Double(steps) / Double(lcm)
            let probability: Double
            if steps == 0 {
                probability = 1
            } else if m == n {
                probability = Self.equalSizeTail(n, steps)
            } else {
                probability = Self.latticePathTail(m, n, divisor, steps)
            }
            if probability >= 0 && probability <= 1 {
                self.init(statistic: distance, pValue: probability, method: .exact)
                return
            }
        }
        let larger = Double(max(m, n))
        let smaller = Double(min(m, n))
        let effectiveSize = Int((larger * smaller / (larger + smaller)).rounded(.toNearestOrEven))
        let probability = KolmogorovDistribution.survival(distance, sampleSize: max(effectiveSize, 1))
        self.init(statistic: distance, pValue: min(max(probability, 0), 1), method: .asymptotic)
    }

    /// Sorts both samples, then tests them as `init(sortedReference:sortedCurrent:)` does.
    public init(reference: [Double], current: [Double]) throws(StatisticsError) {
        // Checked before sorting, so a NaN is reported at its own row and cannot disturb the sort.
        try Self.validate(reference, name: "reference", sorted: false)
        try Self.validate(current, name: "current", sorted: false)
        try self.init(sortedReference: reference.sorted(), sortedCurrent: current.sorted())
    }

    init(statistic: Double, pValue: Double, method: Method) {
        self.statistic = statistic
        self.pValue = pValue
        self.method = method
    }

    /// Refuses empty samples, non-finite values and, for the sorted entry point, values out of order.
    static func validate(_ sample: [Double], name: String, sorted: Bool) throws(StatisticsError) {
        if sample.isEmpty {
            throw StatisticsError("The \(name) sample is empty; the Kolmogorov–Smirnov test needs at least one value in each sample.")
        }
        for (row, value) in sample.enumerated() {
            if !value.isFinite { throw StatisticsError.notFinite("The \(name) value", row: row) }
            if sorted && row > 0 && value < sample[row - 1] {
                throw StatisticsError(
                    "The \(name) sample is not sorted ascending (row \(row + 1) is smaller than row \(row)); use init(reference:current:).")
            }
        }
    }

    /// sup |F_a − F_b| in one merge pass: both distribution functions are evaluated after each distinct value, so
    /// tied values (within or across samples) step together, as SciPy's `searchsorted(side='right')` does.
    static func largestDistance(_ a: [Double], _ b: [Double]) -> Double {
        let m = Double(a.count)
        let n = Double(b.count)
        var i = 0
        var j = 0
        var largest = 0.0
        // Once one sample is used up its distribution function is 1 and the gap only shrinks from there.
        while i < a.count && j < b.count {
            let value = min(a[i], b[j])
            while i < a.count && a[i] == value { i += 1 }
            while j < b.count && b[j] == value { j += 1 }
            largest = max(largest, abs(Double(i) / m - Double(j) / n))
        }
        return largest
    }

    /// P(D ≥ h/n) for two samples of size n: 2 Σ_{k≥1} (−1)^{k+1} C(2n, n − kh) / C(2n, n) (Hodges 1958), each
    /// ratio of binomials formed as a product of h factors and the alternating sum nested from its smallest term.
    /// The operations follow SciPy's order exactly: its result can round above 1, which sends SciPy (and us) to
    /// the asymptotic branch.
    static func equalSizeTail(_ n: Int, _ h: Int) -> Double {
        var tail = 0.0
        var k = n / h
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h {
                ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1)
            }
            tail = ratio * (1.0 - tail)
            k -= 1
        }
        return 2 * tail
    }

    /// P(D ≥ h/lcm(m, n)) for sizes m ≠ n, as the share of the C(m + n, n) equally likely lattice paths from (0, 0)
    /// to (m, n) that touch |i·n/g − j·m/g| ≥ h (Hodges 1958). The share is carried as a probability rather than a
    /// count (Viehmann 2021): for a path ending at (i, j), q(i, j) = (i·q(i − 1, j) + j·q(i, j − 1)) / (i + j), with
    /// q = 1 outside the band, so nothing overflows. One column of the band is kept: O(m·n) time, O(min(m, n)) memory.
    static func latticePathTail(_ first: Int, _ second: Int, _ divisor: Int, _ h: Int) -> Double {
        let m = max(first, second)
        let n = min(first, second)
        let mStep = m / divisor
        let nStep = n / divisor
        // q[j] for the current column i; entries above the band were never inside it and hold 1.
        var q = [Double](repeating: 1, count: n + 1)
        let firstTop = min(ceilingDivision(h, mStep), n + 1)
        for j in 0..<firstTop { q[j] = 0 }
        return q.withUnsafeMutableBufferPointer { column in
            for i in 1...m {
                // Inside the band: (i·nStep − h)/mStep < j < (i·nStep + h)/mStep.
                let bottom = min(max(floorDivision(i * nStep - h, mStep) + 1, 0), n)
                let top = min(ceilingDivision(i * nStep + h, mStep), n + 1)
                if top <= bottom { return 1 }
                var below = bottom == 0 ? 0.0 : 1.0
                let weight = Double(i)
                for j in bottom..<top {
                    below = (column[j] * weight + below * Double(j)) / Double(i + j)
                    column[j] = below
                }
            }
            return column[n]
        }
    }

    static func floorDivision(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    static func ceilingDivision(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? (a + b - 1) / b : -(-a / b)
    }

    static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
