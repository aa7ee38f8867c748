/// One feature's values in a sample (the reference or a current window), missing values counted apart:
/// numbers in any order (sorted only by the methods that need order), or counts per category.
public enum FeatureSample: Sendable, Equatable {
    case numbers(values: [Double], missing: Int)
    case categories(counts: [String: Int], missing: Int)

    /// Numbers in any order; NaN counts as missing.
    public static func numbers(_ values: [Double]) -> FeatureSample {
        guard values.contains(where: \.isNaN) else { return .numbers(values: values, missing: 0) }
        let present = values.filter { !$0.isNaN }
        return .numbers(values: present, missing: values.count - present.count)
    }

    public var count: Int {
        switch self {
        case .numbers(let values, _): values.count
        case .categories(let counts, _): counts.values.reduce(0, +)
        }
    }

    public var missing: Int {
        switch self {
        case .numbers(_, let missing), .categories(_, let missing): missing
        }
    }

    /// Distinct values of any arrays together, counting no further than `limit` (a small limit stops early
    /// on continuous data).
    static func distinctCount(_ arrays: [Double]..., limit: Int) -> Int {
        var seen = Set<Double>()
        for values in arrays {
            for value in values {
                seen.insert(value)
                if seen.count >= limit { return limit }
            }
        }
        return seen.count
    }

    /// Distinct values of two ascending arrays together, in one merge.
    static func distinctCount(sortedUnion left: [Double], _ right: [Double]) -> Int {
        var count = 0
        var leftIndex = 0
        var rightIndex = 0
        while leftIndex < left.count || rightIndex < right.count {
            let value =
                leftIndex == left.count
                ? right[rightIndex] : rightIndex == right.count ? left[leftIndex] : Swift.min(left[leftIndex], right[rightIndex])
            count += 1
            while leftIndex < left.count, left[leftIndex] == value { leftIndex += 1 }
            while rightIndex < right.count, right[rightIndex] == value { rightIndex += 1 }
        }
        return count
    }

    /// How often each value occurs, for numbers read as categories.
    static func valueCounts(_ values: [Double]) -> [Double: Int] {
        values.reduce(into: [:]) { counts, value in counts[value, default: 0] += 1 }
    }
}
