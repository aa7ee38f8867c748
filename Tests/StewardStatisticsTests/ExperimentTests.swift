import Foundation
import Testing

@testable import StewardStatistics

/// Experiment statistics against scipy (`scripts/fixtures/experiments.py`), and the property the sequential test
/// exists for, shown by simulation.
@Suite("Experiment statistics")
struct ExperimentTests {
    struct Fixture: Decodable {
        struct ZTest: Decodable {
            let control: [Int]
            let challenger: [Int]
            let z: Double
            let pValue: Double
        }
        struct Welch: Decodable {
            let control: [Double]
            let challenger: [Double]
            let t: Double
            let df: Double
            let pValue: Double
        }
        struct StudentT: Decodable {
            let t: Double
            let df: Double
            let pValue: Double
        }
        struct SampleRatio: Decodable {
            let counts: [Int]
            let weights: [Double]
            let statistic: Double
            let pValue: Double
        }
        struct MSPRT: Decodable {
            let difference: Double
            let variance: Double
            let mixingVariance: Double
            let likelihoodRatio: Double
        }
        let zTests: [ZTest]
        let welch: [Welch]
        let studentT: [StudentT]
        let sampleRatio: [SampleRatio]
        let msprt: [MSPRT]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "experiments", withExtension: "json", subdirectory: "Fixtures")!
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try! decoder.decode(Fixture.self, from: Data(contentsOf: url))
    }()

    static func close(_ value: Double, _ expected: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(value - expected) <= tolerance * max(1, abs(expected))
    }

    @Test("The two-proportion z-test matches scipy's normal tail, and refuses what is undefined")
    func zTest() throws {
        #expect(Self.fixture.zTests.count == 7)
        for case_ in Self.fixture.zTests {
            let test = try TwoProportionZTest(
                controlSuccesses: case_.control[0], controlTrials: case_.control[1], challengerSuccesses: case_.challenger[0],
                challengerTrials: case_.challenger[1])
            #expect(Self.close(test.z, case_.z) && Self.close(test.pValue, case_.pValue), "\(case_)")
        }
        #expect(throws: StatisticsError.self) {
            try TwoProportionZTest(controlSuccesses: 0, controlTrials: 10, challengerSuccesses: 0, challengerTrials: 5)
        }
        #expect(throws: StatisticsError.self) {
            try TwoProportionZTest(controlSuccesses: 1, controlTrials: 0, challengerSuccesses: 0, challengerTrials: 5)
        }
        #expect(throws: StatisticsError.self) {
            try TwoProportionZTest(controlSuccesses: 6, controlTrials: 5, challengerSuccesses: 0, challengerTrials: 5)
        }
    }

    @Test("Welch's t-test and Student's t tail match scipy, fractional degrees of freedom included")
    func welch() throws {
        for case_ in Self.fixture.welch {
            let test = try WelchTTest(control: SampleMoments(case_.control), challenger: SampleMoments(case_.challenger))
            #expect(Self.close(test.t, case_.t) && Self.close(test.degreesOfFreedom, case_.df), "\(case_.t) \(test.t)")
            #expect(Self.close(test.pValue, case_.pValue), "\(case_.pValue) \(test.pValue)")
        }
        for case_ in Self.fixture.studentT {
            #expect(Self.close(SpecialFunctions.twoSidedStudentTail(case_.t, degrees: case_.df), case_.pValue), "\(case_)")
        }
        #expect(throws: StatisticsError.self) { try WelchTTest(control: SampleMoments([1, 1, 1]), challenger: SampleMoments([2, 2])) }
        #expect(throws: StatisticsError.self) { try WelchTTest(control: SampleMoments([1]), challenger: SampleMoments([2, 3])) }
    }

    @Test("Sample moments merge to the moments of the whole sample, and a rate's moments follow from its counts")
    func moments() {
        let values = (0..<500).map { Double(($0 * 7919) % 101) / 3 }
        var merged = SampleMoments(values[..<123])
        merged.merge(SampleMoments(values[123...]))
        let whole = SampleMoments(values)
        #expect(merged.count == whole.count && Self.close(merged.mean, whole.mean, 1e-12) && Self.close(merged.variance, whole.variance, 1e-12))
        let rate = SampleMoments(successes: 37, trials: 200)
        let listed = SampleMoments(Array(repeating: 1.0, count: 37) + Array(repeating: 0.0, count: 163))
        #expect(Self.close(rate.mean, listed.mean, 1e-15) && Self.close(rate.variance, listed.variance, 1e-12))
    }

    @Test("The sample-ratio check matches scipy's chi-square goodness of fit and fires on a broken split")
    func sampleRatio() throws {
        for case_ in Self.fixture.sampleRatio {
            let check = try SampleRatioMismatch(counts: case_.counts, weights: case_.weights)
            #expect(Self.close(check.statistic, case_.statistic) && Self.close(check.pValue, case_.pValue, 1e-9), "\(case_)")
        }
        #expect(try SampleRatioMismatch(counts: [8800, 1200], weights: [90, 10]).fires)
        #expect(try !SampleRatioMismatch(counts: [9010, 990], weights: [90, 10]).fires)
        #expect(try SampleRatioMismatch(counts: [100, 3], weights: [100, 0]).pValue == 0)
        #expect(throws: StatisticsError.self) { try SampleRatioMismatch(counts: [0, 0], weights: [50, 50]) }
    }

    @Test("The mixture SPRT's likelihood ratio matches the formula, and its p-value only ever falls")
    func msprtRatio() throws {
        for case_ in Self.fixture.msprt {
            let test = try MixtureSPRT(mixingVariance: case_.mixingVariance)
            let ratio = try #require(test.likelihoodRatio(difference: case_.difference, variance: case_.variance))
            #expect(Self.close(ratio, case_.likelihoodRatio), "\(case_)")
        }
        #expect(MixtureSPRT.pValue(previous: 0.2, likelihoodRatio: 2) == 0.2)
        #expect(MixtureSPRT.pValue(previous: 0.2, likelihoodRatio: 10) == 0.1)
        #expect(MixtureSPRT.pValue(likelihoodRatio: 0.5) == 1)
        #expect(MixtureSPRT.pValue(previous: 0.3, likelihoodRatio: nil) == 0.3)
        #expect(try MixtureSPRT(mixingVariance: 1).likelihoodRatio(difference: 1, variance: 0) == nil)
        #expect(throws: StatisticsError.self) { try MixtureSPRT(mixingVariance: 0) }
    }

    /// A fixed-seed generator, so the simulation is the same on every run.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// How many of `experiments` simulated experiments (rates `control` and `challenger`, peeked at every 100 units
    /// per arm up to `units`) each test declares significant at α = 0.05 at some look: (sequential, naive repeated).
    static func simulate(experiments: Int, units: Int, control: Double, challenger: Double, seed: UInt64) -> (sequential: Int, naive: Int) {
        var generator = SplitMix64(state: seed)
        let test = try! MixtureSPRT(mixingVariance: 0.02 * 0.02)
        let (controlThreshold, challengerThreshold) = (UInt64(control * 0x1p64), UInt64(challenger * 0x1p64))
        var (sequential, naive) = (0, 0)
        for _ in 0..<experiments {
            var (a, b, n) = (0, 0, 0)
            var pValue = 1.0
            var (sequentialRejected, naiveRejected) = (false, false)
            while n < units {
                for _ in 0..<100 {
                    if generator.next() < controlThreshold { a += 1 }
                    if generator.next() < challengerThreshold { b += 1 }
                }
                n += 100
                pValue = MixtureSPRT.pValue(
                    previous: pValue,
                    likelihoodRatio: test.likelihoodRatio(
                        control: SampleMoments(successes: a, trials: n), challenger: SampleMoments(successes: b, trials: n)))
                if pValue < 0.05 { sequentialRejected = true }
                if let fixed = try? TwoProportionZTest(controlSuccesses: a, controlTrials: n, challengerSuccesses: b, challengerTrials: n),
                    fixed.pValue < 0.05
                {
                    naiveRejected = true
                }
            }
            sequential += sequentialRejected ? 1 : 0
            naive += naiveRejected ? 1 : 0
        }
        return (sequential, naive)
    }

    @Test("Peeked at every 100 units, the sequential test keeps its false positives within α + 0.01 where the naive test does not")
    func alwaysValid() {
        // 2,000 A/A experiments: both arms convert at 10%, looked at 30 times each.
        let (sequential, naive) = Self.simulate(experiments: 2000, units: 3000, control: 0.10, challenger: 0.10, seed: 1)
        let (sequentialRate, naiveRate) = (Double(sequential) / 2000, Double(naive) / 2000)
        #expect(sequentialRate <= 0.06, "sequential false-positive rate \(sequentialRate)")
        #expect(naiveRate >= 0.15, "naive repeated z-test false-positive rate \(naiveRate)")
    }

    @Test("With a real difference the sequential test reaches a decision")
    func decides() {
        // 10% against 13% conversion: almost every experiment is decided within 5,000 units per arm.
        let (sequential, _) = Self.simulate(experiments: 200, units: 5000, control: 0.10, challenger: 0.13, seed: 2)
        #expect(sequential >= 180, "\(sequential) of 200 decided")
    }
}
