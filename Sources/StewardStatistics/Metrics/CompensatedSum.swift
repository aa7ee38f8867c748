/// Neumaier's compensated summation: sums of millions of terms stay within a few ulps of the exact sum, so
/// metrics over large files agree with references computed with pairwise summation.
public struct CompensatedSum: Sendable {
    private(set) var sum = 0.0
    private var compensation = 0.0

    public init() {}

    public mutating func add(_ value: Double) {
        let total = sum + value
        if abs(sum) >= abs(value) {
            compensation += (sum - total) + value
        } else {
            compensation += (value - total) + sum
        }
        sum = total
    }

    public var value: Double { sum + compensation }

    public static func of<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var total = CompensatedSum()
        for value in values { total.add(value) }
        return total.value
    }
}
