import Foundation
import Testing

@testable import StewardStatistics

/// The two-sample Kolmogorov–Smirnov test against `scipy.stats.ks_2samp` (`scripts/fixtures/ks.py`).
@Suite("Kolmogorov–Smirnov")
struct KolmogorovSmirnovTests {
    struct Fixture: Decodable {
        let scipy: String
        let cases: [Case]
        let distribution: [Point]
    }

    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let reference: Sample
        let current: Sample
        let statistic: Double
        let p_value: Double
        let method: String
        let path: String?

        var testDescription: String { name }
    }

    /// One point of SciPy's `kstwo.sf(x, n)`.
    struct Point: Decodable, Sendable, CustomTestStringConvertible {
        let n: Int
        let x: Double
        let sf: Double
        let path: String

        var testDescription: String { "n=\(n), x=\(x): \(path)" }
    }

    /// A sample as stored: the values, an arithmetic progression, or a splitmix64 recipe the generator also ran.
    struct Sample: Decodable, Sendable {
        let values: [Double]?
        let start: Double?
        let step: Double?
        let seed: UInt64?
        let count: Int?
        let range: UInt64?
        let terms: Int?
        let shift: Int64?
        let scale: Double?

        func build() throws -> [Double] {
            if let values { return values }
            let count = try #require(count)
            if let start, let step { return (0..<count).map { Double($0) * step + start } }
            let range = try #require(range)
            let terms = try #require(terms)
            let shift = try #require(shift)
            let scale = try #require(scale)
            var state = try #require(seed)
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            return (0..<count).map { _ in
                var sum: UInt64 = 0
                for _ in 0..<terms { sum += next() % range }
                return Double(Int64(sum) + shift) * scale
            }
        }
    }

    static let fixture: Fixture? = {
        guard let url = Bundle.module.url(forResource: "ks", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? JSONDecoder().decode(Fixture.self, from: data)
    }()

    static var cases: [Case] { fixture?.cases ?? [] }
    static var points: [Point] { fixture?.distribution ?? [] }

    /// SciPy's numbers within 1e-9 relative or 1e-12 absolute.
    static func close(_ value: Double, _ reference: Double) -> Bool {
        abs(value - reference) <= max(1e-12, 1e-9 * abs(reference))
    }

    @Test("the fixture is present and complete")
    func fixtureLoads() throws {
        let fixture = try #require(Self.fixture, "Fixtures/ks.json is missing or unreadable; run scripts/fixtures/ks.py")
        #expect(fixture.cases.count >= 60)
        #expect(fixture.distribution.count >= 30)
        #expect(fixture.cases.contains { $0.method == "exact" } && fixture.cases.contains { $0.method == "asymptotic" })
    }

    @Test("matches scipy.stats.ks_2samp", arguments: cases)
    func matchesSciPy(_ fixture: Case) throws {
        let reference = try fixture.reference.build()
        let current = try fixture.current.build()
        let result = try KolmogorovSmirnov(reference: reference, current: current)
        #expect(Self.close(result.statistic, fixture.statistic), "statistic \(result.statistic) vs SciPy \(fixture.statistic)")
        #expect(Self.close(result.pValue, fixture.p_value), "p-value \(result.pValue) vs SciPy \(fixture.p_value) (\(fixture.path ?? "exact"))")
        #expect(result.method.rawValue == fixture.method)

        let presorted = try KolmogorovSmirnov(sortedReference: reference.sorted(), sortedCurrent: current.sorted())
        #expect(presorted == result)
    }

    @Test("matches scipy.stats.kstwo.sf", arguments: points)
    func distributionMatchesSciPy(_ point: Point) {
        let value = KolmogorovDistribution.survival(point.x, sampleSize: point.n)
        #expect(Self.close(value, point.sf), "\(value) vs SciPy \(point.sf)")
    }

    @Test("DRIFT.md reference A: exact p for 8 vs 8")
    func referenceA() throws {
        let result = try KolmogorovSmirnov(
            reference: [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0],
            current: [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8])
        #expect(Self.close(result.statistic, 0.625))
        #expect(Self.close(result.pValue, 0.0870240870241))
        #expect(result.method == .exact)
    }

    @Test("DRIFT.md reference B: 0…99 against 10…109")
    func referenceB() throws {
        let result = try KolmogorovSmirnov(reference: (0..<100).map(Double.init), current: (10..<110).map(Double.init))
        #expect(Self.close(result.statistic, 0.1))
        #expect(abs(result.pValue - 0.702056982866) < 1e-12)
        #expect(result.method == .exact)
    }

    @Test("identical samples: D = 0, p = 1")
    func identical() throws {
        let sample = [3.0, 1.0, 2.0, 2.0]
        let result = try KolmogorovSmirnov(reference: sample, current: sample)
        #expect(result == KolmogorovSmirnov(statistic: 0, pValue: 1, method: .exact))
    }

    @Test("an empty sample is refused")
    func emptySample() {
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov(reference: [], current: [1]) }
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov(reference: [1], current: []) }
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov(sortedReference: [], sortedCurrent: []) }
    }

    @Test("NaN and infinite values are refused with their row")
    func nonFinite() {
        #expect(throws: StatisticsError.notFinite("The current value", row: 1)) {
            try KolmogorovSmirnov(reference: [1, 2, 3], current: [4, .nan, 5])
        }
        #expect(throws: StatisticsError.notFinite("The reference value", row: 0)) {
            try KolmogorovSmirnov(sortedReference: [-.infinity, 1], sortedCurrent: [2])
        }
    }

    @Test("the sorted entry point refuses unsorted input")
    func unsorted() {
        #expect(throws: StatisticsError.self) { try KolmogorovSmirnov(sortedReference: [2, 1], sortedCurrent: [1, 2]) }
    }
}
