/// One feature's values in a sample (the reference or a current window), missing values counted apart:
/// numbers ascending, or counts per category.
public enum FeatureSample: Sendable, Equatable {
    case numbers(sorted: [Double], missing: Int)
    case categories(counts: [String: Int], missing: Int)

    /// Numbers in any order; NaN counts as missing.
    public static func numbers(_ values: [Double]) -> FeatureSample {
        let present = values.filter { !$0.isNaN }
        return .numbers(sorted: RadixSort.sorted(present), missing: values.count - present.count)
    }

    public var count: Int {
        switch self {
        case .numbers(let sorted, _): sorted.count
        case .categories(let counts, _): counts.values.reduce(0, +)
        }
    }

    public var missing: Int {
        switch self {
        case .numbers(_, let missing), .categories(_, let missing): missing
        }
    }

    /// Distinct values of an ascending array, counting no further than `limit`.
    static func distinctCount(_ sorted: [Double], limit: Int = .max) -> Int {
        var count = 0
        var index = 0
        while index < sorted.count, count < limit {
            let value = sorted[index]
            count += 1
            while index < sorted.count, sorted[index] == value { index += 1 }
        }
        return count
    }

    /// Distinct values of two ascending arrays together, in one merge, counting no further than `limit`.
    static func distinctCount(union left: [Double], _ right: [Double], limit: Int = .max) -> Int {
        var count = 0
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count || rightIndex < right.count, count < limit {
            let value =
                leftIndex == left.count
                ? right[rightIndex] : rightIndex == right.count ? left[leftIndex] : Swift.min(left[leftIndex], right[rightIndex])
            count += 1
            while leftIndex < left.count, left[leftIndex] == value { leftIndex += 1 }
            while rightIndex < right.count, right[rightIndex] == value { rightIndex += 1 }
        }
        return count
    }

    /// Each distinct value with its count, ascending, for numbers read as categories.
    var valueCounts: [(value: Double, count: Int)] {
        guard case .numbers(let sorted, _) = self else { return [] }
        var runs: [(value: Double, count: Int)] = []
        for value in sorted {
            if let last = runs.last, last.value == value { runs[runs.count - 1].count += 1 } else { runs.append((value, 1)) }
        }
        return runs
    }
}
