import Foundation
import Testing

@testable import StewardStatistics

/// Evaluation metrics against reference values computed by scikit-learn (`scripts/fixtures/metrics.py`).
@Suite("Evaluation metrics")
struct EvaluationMetricsTests {
    struct Fixture: Decodable {
        let cases: [Case]
    }

    struct Case: Decodable, CustomTestStringConvertible {
        let name: String
        let task: String
        let threshold: Double?
        let y_true: [Double]?
        let y_score: [Double]?
        let y_proba: [[Double]]?
        let y_pred: [Double]?
        let confusion_matrix: [[Int]]?
        let references: [String]?
        let outputs: [String]?
        let values: [Double]?
        let groups: [String]?
        let selection_rates: [String: Double]?
        let expected: [String: Expected]

        var testDescription: String { name }
    }

    enum Expected: Decodable {
        case value(Double)
        case error

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Double.self) { self = .value(value) } else { self = .error }
        }
    }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "metrics", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data)
        else { return [] }
        return fixture.cases
    }()

    static func check(_ name: String, _ computed: () throws -> Double, _ expected: Expected?, _ fixture: String) {
        guard let expected else {
            Issue.record("\(fixture): no reference value for \(name)")
            return
        }
        switch expected {
        case .value(let reference):
            do {
                let value = try computed()
                #expect(abs(value - reference) <= 1e-9 * max(1, abs(reference)), "\(fixture) \(name): \(value) vs scikit-learn \(reference)")
            } catch {
                Issue.record("\(fixture) \(name): \(error), scikit-learn gives \(reference)")
            }
        case .error:
            #expect(throws: StatisticsError.self, "\(fixture) \(name) must be refused") { try computed() }
        }
    }

    @Test("The fixtures cover every task")
    func fixturesLoad() {
        #expect(Set(Self.cases.map(\.task)) == ["binary", "multiclass", "regression", "text", "operational", "fairness"])
        #expect(Self.cases.count >= 27)
    }

    @Test("Binary classification matches scikit-learn", arguments: cases.filter { $0.task == "binary" })
    func binary(fixture: Case) throws {
        let metrics = try BinaryClassificationMetrics(
            labels: (fixture.y_true ?? []).map { $0 == 1 }, scores: fixture.y_score ?? [], threshold: fixture.threshold ?? 0.5)
        let checks: [(String, () throws -> Double)] = [
            ("accuracy", { metrics.accuracy }), ("precision", { metrics.precision }), ("recall", { metrics.recall }), ("f1", { metrics.f1 }),
            ("precision_macro", { metrics.precisionMacro }), ("recall_macro", { metrics.recallMacro }), ("f1_macro", { metrics.f1Macro }),
            ("f1_weighted", { metrics.f1Weighted }), ("roc_auc", { try metrics.rocAUC() }), ("pr_auc", { try metrics.averagePrecision() }),
            ("log_loss", { try metrics.logLoss() }), ("brier", { try metrics.brier() }),
            ("tp", { Double(metrics.truePositives) }), ("fp", { Double(metrics.falsePositives) }), ("fn", { Double(metrics.falseNegatives) }),
            ("tn", { Double(metrics.trueNegatives) }),
        ]
        for (name, computed) in checks { Self.check(name, computed, fixture.expected[name], fixture.name) }
    }

    @Test("Multiclass classification matches scikit-learn", arguments: cases.filter { $0.task == "multiclass" })
    func multiclass(fixture: Case) throws {
        let metrics = try MulticlassClassificationMetrics(labels: (fixture.y_true ?? []).map { Int($0) }, probabilities: fixture.y_proba ?? [])
        #expect(metrics.confusion == fixture.confusion_matrix)
        let checks: [(String, () throws -> Double)] = [
            ("accuracy", { metrics.accuracy }), ("precision_macro", { metrics.precisionMacro }), ("recall_macro", { metrics.recallMacro }),
            ("f1_macro", { metrics.f1Macro }), ("precision_weighted", { metrics.precisionWeighted }),
            ("recall_weighted", { metrics.recallWeighted }), ("f1_weighted", { metrics.f1Weighted }), ("roc_auc", { try metrics.rocAUC() }),
            ("pr_auc", { try metrics.averagePrecision() }), ("log_loss", { metrics.logLoss }), ("brier", { metrics.brier }),
        ]
        for (name, computed) in checks { Self.check(name, computed, fixture.expected[name], fixture.name) }
    }

    @Test("Regression matches scikit-learn", arguments: cases.filter { $0.task == "regression" })
    func regression(fixture: Case) throws {
        let metrics = try RegressionMetrics(truth: fixture.y_true ?? [], predictions: fixture.y_pred ?? [])
        let checks: [(String, () throws -> Double)] = [
            ("mean_error", { metrics.meanError }), ("mae", { metrics.meanAbsoluteError }), ("mse", { metrics.meanSquaredError }),
            ("rmse", { metrics.rootMeanSquaredError }), ("mape", { try metrics.meanAbsolutePercentageError() }),
            ("smape", { metrics.symmetricMeanAbsolutePercentageError }), ("wape", { try metrics.weightedAbsolutePercentageError() }),
            ("r2", { metrics.r2 }), ("max_error", { metrics.maxError }),
        ]
        for (name, computed) in checks { Self.check(name, computed, fixture.expected[name], fixture.name) }
    }

    @Test("Text metrics match NLTK's corpus BLEU and rouge-score", arguments: cases.filter { $0.task == "text" })
    func text(fixture: Case) throws {
        let metrics = try TextMetrics(references: fixture.references ?? [], candidates: fixture.outputs ?? [])
        let checks: [(String, () throws -> Double)] = [
            ("exact_match", { metrics.exactMatch }), ("contains", { metrics.contains }), ("bleu", { metrics.bleu }),
            ("rouge1", { metrics.rouge(1) }), ("rouge2", { metrics.rouge(2) }), ("rougeL", { metrics.rougeL }),
        ]
        for (name, computed) in checks { Self.check(name, computed, fixture.expected[name], fixture.name) }
    }

    @Test("Latency percentiles match NumPy's linear interpolation", arguments: cases.filter { $0.task == "operational" })
    func operational(fixture: Case) throws {
        let percentiles = try OperationalMetrics.latencyPercentiles(fixture.values ?? [])
        Self.check("p50", { percentiles.p50 }, fixture.expected["p50"], fixture.name)
        Self.check("p95", { percentiles.p95 }, fixture.expected["p95"], fixture.name)
        Self.check("p99", { percentiles.p99 }, fixture.expected["p99"], fixture.name)
        Self.check("p95", { try OperationalMetrics.percentile(fixture.values ?? [], 95) }, fixture.expected["p95"], fixture.name)
    }

    @Test("Group fairness matches Fairlearn", arguments: cases.filter { $0.task == "fairness" })
    func fairness(fixture: Case) throws {
        let metrics = try FairnessMetrics(
            labels: (fixture.y_true ?? []).map { $0 == 1 }, predictions: (fixture.y_pred ?? []).map { $0 == 1 }, groups: fixture.groups ?? [])
        #expect(Dictionary(uniqueKeysWithValues: metrics.groups.map { ($0.name, $0.selectionRate) }) == fixture.selection_rates)
        let checks: [(String, () throws -> Double)] = [
            ("dp_difference", { metrics.demographicParityDifference }), ("dp_ratio", { try metrics.demographicParityRatio() }),
            ("equalized_odds_difference", { try metrics.equalizedOddsDifference() }),
            ("four_fifths_violation", { metrics.violatesFourFifthsRule ? 1 : 0 }),
        ]
        for (name, computed) in checks { Self.check(name, computed, fixture.expected[name], fixture.name) }
    }

    @Test("Inputs that cannot be scored are refused with the row named")
    func invalidInputs() throws {
        #expect(throws: StatisticsError.self) { try BinaryClassificationMetrics(labels: [], scores: []) }
        #expect(throws: StatisticsError.self) { try BinaryClassificationMetrics(labels: [true], scores: [0.1, 0.2]) }
        #expect(throws: StatisticsError("The score in row 2 is not a finite number.")) {
            try BinaryClassificationMetrics(labels: [true, false], scores: [0.1, .nan])
        }
        #expect(throws: StatisticsError.self) { try BinaryClassificationMetrics(labels: [true, false], scores: [1.5, 0.2]).logLoss() }
        #expect(throws: StatisticsError.self) { try MulticlassClassificationMetrics(labels: [0, 3], probabilities: [[0.5, 0.5], [0.5, 0.5]]) }
        #expect(throws: StatisticsError.self) { try MulticlassClassificationMetrics(labels: [0, 1], probabilities: [[0.5, 0.5], [1.0]]) }
        #expect(throws: StatisticsError.self) { try RegressionMetrics(truth: [1, .infinity], predictions: [1, 2]) }
        #expect(throws: StatisticsError.self) { try RegressionMetrics(truth: [0, 0], predictions: [1, 2]).weightedAbsolutePercentageError() }
        #expect(throws: StatisticsError.self) { try FairnessMetrics(labels: [true, false], predictions: [true, true], groups: ["a", "a"]) }
        #expect(throws: StatisticsError.self) { try OperationalMetrics.latencyPercentiles([]) }
        #expect(throws: StatisticsError.self) { try OperationalMetrics.latencyPercentiles([1, -2]) }
    }

    @Test("Compensated sums stay exact where naive sums drift")
    func compensatedSum() {
        let values = [1.0, 1e100, 1.0, -1e100]
        #expect(CompensatedSum.of(values) == 2)
        #expect(values.reduce(0, +) == 0, "the naive sum loses both ones")
        let tenths = Array(repeating: 0.1, count: 10_000_000)
        #expect(CompensatedSum.of(tenths) == 1_000_000, "the double nearest 10⁷ × 0.1")
        #expect(tenths.reduce(0, +) != 1_000_000)
    }
}

@Suite("Radix sort")
struct RadixSortTests {
    @Test("orders like the standard sort, negatives, zeros, subnormals and repeats included")
    func ordersLikeStandardSort() {
        var generator = SystemRandomNumberGenerator()
        var values = (0..<20_000).map { _ in Double.random(in: -1e6...1e6, using: &generator) }
        values += [0, -0.0, 0, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        values += Array(repeating: 0.5, count: 1000) + (0..<3000).map { Double($0 % 7) }
        values.shuffle(using: &generator)
        let sorted = RadixSort.sorted(values)
        #expect(sorted == values.sorted())
        #expect(sorted.count == values.count)
    }

    @Test("short arrays and arrays sharing high digits")
    func edgeShapes() {
        #expect(RadixSort.sorted([]) == [])
        #expect(RadixSort.sorted([3, 1, 2]) == [1, 2, 3])
        let close = (0..<5000).map { 1.0 + Double(5000 - $0) * Double.ulpOfOne }
        #expect(RadixSort.sorted(close) == close.sorted())
    }
}

@Suite("Radix selection")
struct RadixSelectionTests {
    /// Samples whose digits spread differently: wide and signed, narrow around a large value (most values share
    /// their top 32 bits), heavy-tailed, tied, and tiny.
    static func samples() -> [(String, [Double])] {
        var generator = ExperimentTests.SplitMix64(state: 42)
        let normal = { (mean: Double, spread: Double) in
            mean + spread * (-2 * log(Double.random(in: Double.ulpOfOne...1, using: &generator))).squareRoot()
                * cos(2 * .pi * Double.random(in: 0...1, using: &generator))
        }
        return [
            ("unscaled normal with negatives", (0..<200_000).map { _ in normal(0, 1000) }),
            ("1000 ± 0.01", (0..<100_000).map { _ in normal(1000, 0.01) }),
            ("heavy tail", (0..<50_000).map { _ in exp(normal(0, 8)) } + [1e300, -1e300]),
            ("ties and zeros", (0..<60_000).map { Double($0 % 5) - 2 } + [0, -0.0, 0]),
            ("small", [3, -1, 2, 2]),
        ]
    }

    @Test("gives the order statistics a full sort gives, at every rank asked, in the order asked")
    func matchesSorting() {
        for (name, values) in Self.samples() {
            let sorted = values.sorted()
            let ranks = [values.count - 1, 0, values.count / 2, values.count / 2, 1, values.count / 10, values.count - 2]
            #expect(RadixSelection.values(atRanks: ranks, of: values) == ranks.map { sorted[$0] }, "\(name)")
        }
    }

    @Test("decile edges from the unsorted sample equal those from the sorted one, bit for bit")
    func decilesMatch() {
        for (name, values) in Self.samples() {
            let sorted = RadixSort.sorted(values)
            #expect(NumericBins.quantiles(of: values) == NumericBins.quantiles(ofSorted: sorted), "\(name)")
            #expect(NumericBins.quantiles(of: values, bins: 7) == NumericBins.quantiles(ofSorted: sorted, bins: 7), "\(name)")
        }
    }
}

@Suite("Numeric bins of unsorted samples")
struct UnsortedNumericBinsTests {
    @Test("an unsorted sample counts into decile bins as the sorted one does, edge values and NaN included")
    func vectorCountsMatchSearch() {
        var generator = ExperimentTests.SplitMix64(state: 7)
        for (name, values) in RadixSelectionTests.samples() {
            let bins = NumericBins.quantiles(of: values)
            var withEdges = values + bins.edges + [.nan, -.infinity, .infinity]
            withEdges.shuffle(using: &generator)
            let sorted = withEdges.filter { !$0.isNaN }.sorted()
            var expected = bins.counts(of: sorted, ascending: true)
            expected[0] += 1  // NaN has no edge below it
            #expect(bins.counts(of: withEdges) == expected, "\(name)")
            // More edges than a vector holds take the search per value.
            let fine = NumericBins.quantiles(of: values, bins: 40)
            var fineExpected = fine.counts(of: sorted, ascending: true)
            fineExpected[0] += 1
            #expect(fine.counts(of: withEdges) == fineExpected, "\(name)")
        }
    }

    @Test("a reference with no values has one bin that takes everything; an undefined edge falls back to the search")
    func degenerateEdges() {
        // An all-missing reference column has no edges: one open bin.
        #expect(NumericBins.quantiles(of: []).counts(of: [1, -2, .nan]) == [3])
        #expect(NumericBins(edges: [], layout: .openEnded).counts(of: []) == [0])
        // 5 + ∞ × 0 is NaN: such an edge counts as the search per value counts it, never negative.
        let bins = NumericBins(edges: [0, .nan, 10], layout: .openEnded)
        let counts = bins.counts(of: [-1, 1, 5, 11, 20])
        #expect(counts.allSatisfy { $0 >= 0 } && counts.reduce(0, +) == 5, "\(counts)")
    }
}
