import Testing

@testable import StewardCore

@Suite("Bulk-interval metric sampling")
struct MetricSamplingTests {
    func history(_ count: Int) -> [Metric] {
        (0..<count).map { Metric(key: "m", value: Double($0), timestamp: Int64($0), step: Int64($0)) }
    }

    @Test("Short histories come back whole")
    func short() {
        #expect(MetricSampling.sample(history(3), maxResults: 5).map(\.step) == [0, 1, 2])
        #expect(MetricSampling.sample([], maxResults: 5).isEmpty)
    }

    /// Expected values follow SQL's NTILE: n rows in k buckets, the first n mod k buckets one row larger; the first
    /// row of each bucket is kept, and the last row replaces the final sample when it is not already there.
    @Test(
        "Long histories keep each bucket's first point and the last point",
        arguments: [
            (10, 3, [0, 4, 9] as [Int64]),
            (10, 4, [0, 3, 6, 9]),
            (7, 2, [0, 6]),
            (100, 1, [99]),
            (11, 5, [0, 3, 5, 7, 10]),
            (6, 5, [0, 2, 3, 4, 5]),
        ])
    func long(count: Int, maxResults: Int, expected: [Int64]) {
        #expect(MetricSampling.sample(history(count), maxResults: maxResults).map(\.step) == expected)
    }
}
