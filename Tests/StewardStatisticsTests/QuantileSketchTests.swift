import Foundation
import Testing

@testable import StewardStatistics

/// The mergeable quantile sketch: every quantile within the relative accuracy of the exact order statistic,
/// merging equal to sketching everything at once, Wasserstein distances close to the samples'.
@Suite("Quantile sketch")
struct QuantileSketchTests {
    /// A reproducible sample: `kind` picks the distribution.
    static func sample(_ kind: String, count: Int, seed: UInt64) -> [Double] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
        return (0..<count).map { index in
            switch kind {
            case "lognormal": exp(2 * normal())
            case "mixed": index % 7 == 0 ? 0 : 50 * normal()
            case "integers": Double(Int(uniform() * 20))
            default: 1000 + 15 * normal()
            }
        }
    }

    @Test("Every quantile is within α of the exact order statistic", arguments: ["normal", "lognormal", "mixed", "integers"])
    func quantiles(kind: String) throws {
        let values = Self.sample(kind, count: 20_000, seed: 7)
        let sketch = QuantileSketch(values)
        let sorted = values.sorted()
        #expect(sketch.count == values.count)
        #expect(sketch.quantile(0) == sorted.first && sketch.quantile(1) == sorted.last)
        for q in stride(from: 0.01, through: 0.99, by: 0.01) {
            let exact = sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]
            let estimate = try #require(sketch.quantile(q))
            #expect(abs(estimate - exact) <= sketch.relativeAccuracy * abs(exact) * (1 + 1e-12), "q=\(q): \(estimate) vs \(exact)")
        }
        for q in [0.5, 0.9, 0.95, 0.99] {
            let rank = q * Double(sorted.count - 1)
            let below = Int(rank.rounded(.down))
            let linear = sorted[below] + (rank - Double(below)) * (sorted[min(below + 1, sorted.count - 1)] - sorted[below])
            let estimate = try #require(sketch.interpolatedQuantile(q))
            let bound = sketch.relativeAccuracy * max(abs(sorted[below]), abs(sorted[min(below + 1, sorted.count - 1)])) * (1 + 1e-12)
            #expect(abs(estimate - linear) <= bound, "interpolated q=\(q): \(estimate) vs \(linear)")
        }
        let ten = QuantileSketch((1...10).map { Double($0) * 10 })
        #expect(abs((ten.interpolatedQuantile(0.95) ?? 0) - 95.5) <= 0.005 * 100, "NumPy's 95.5 for 10…100")
        #expect(ten.interpolatedQuantile(0.5) == ten.value(atRank: 4) + 0.5 * (ten.value(atRank: 5) - ten.value(atRank: 4)))
        #expect(QuantileSketch().quantile(0.5) == nil)
        #expect(sketch.quantile(1.5) == nil)
    }

    @Test("Sketches merge exactly: parts in any order equal the sketch of everything")
    func merging() throws {
        let values = Self.sample("mixed", count: 9_000, seed: 3) + Self.sample("lognormal", count: 3_000, seed: 4)
        let whole = QuantileSketch(values)
        let parts = stride(from: 0, to: values.count, by: 1_000).map { QuantileSketch(values[$0..<min($0 + 1_000, values.count)]) }
        var forward = QuantileSketch()
        for part in parts { forward = try forward.merged(with: part) }
        var backward = QuantileSketch()
        for part in parts.reversed() { backward = try backward.merged(with: part) }
        #expect(forward == whole && backward == whole)
        #expect(throws: StatisticsError.self) { try whole.merged(with: QuantileSketch(relativeAccuracy: 0.01)) }
        let decoded = try JSONDecoder().decode(QuantileSketch.self, from: try JSONEncoder().encode(whole))
        #expect(decoded == whole)
    }

    @Test("Past the bucket limit the buckets nearest zero fold; high quantiles keep their accuracy")
    func collapsing() throws {
        // Magnitudes from 1e-12 to 1e12 need about 5,500 buckets at α = 0.005.
        let values = (0..<20_000).map { pow(10, -12 + 24 * Double($0) / 20_000) }
        let sketch = QuantileSketch(values)
        #expect(sketch.positive.counts.count == QuantileSketch.maximumBuckets)
        #expect(sketch.count == values.count && sketch.positive.total == values.count)
        let exact = values[Int((0.9 * Double(values.count - 1)).rounded(.down))]
        #expect(abs(try #require(sketch.quantile(0.9)) - exact) <= 0.005 * exact)
    }

    @Test("Wasserstein between sketches is close to the distance between the samples", arguments: ["normal", "lognormal", "mixed"])
    func wasserstein(kind: String) throws {
        let reference = Self.sample(kind, count: 10_000, seed: 11)
        let current = Self.sample(kind, count: 8_000, seed: 12).map { $0 * 1.2 + 3 }
        let exact = try SampleDistance.wasserstein(sortedReference: reference.sorted(), sortedCurrent: current.sorted())
        let estimate = try QuantileSketch(reference).wasserstein(to: QuantileSketch(current))
        let bound = 0.005 * (reference.map(abs).reduce(0, +) / Double(reference.count) + current.map(abs).reduce(0, +) / Double(current.count))
        #expect(abs(estimate - exact) <= bound, "\(estimate) vs \(exact)")
        #expect(try QuantileSketch(reference).wasserstein(to: QuantileSketch(reference)) == 0)
        #expect(throws: StatisticsError.self) { try QuantileSketch().wasserstein(to: QuantileSketch(current)) }
    }
}
