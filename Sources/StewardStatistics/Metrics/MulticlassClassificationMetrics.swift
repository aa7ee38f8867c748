import Foundation

/// Metrics of a classifier over classes `0..<classCount` from true classes and one probability row per row;
/// the predicted class is the first with the highest probability. Definitions follow scikit-learn:
/// one-vs-rest macro ROC AUC and average precision, `zero_division=0`.
public struct MulticlassClassificationMetrics: Sendable {
    public let labels: [Int]
    public let probabilities: [[Double]]
    public let classCount: Int
    public let predictions: [Int]
    /// `confusion[true][predicted]`.
    public let confusion: [[Int]]

    public init(labels: [Int], probabilities: [[Double]]) throws(StatisticsError) {
        guard !labels.isEmpty else { throw .empty }
        guard labels.count == probabilities.count else { throw .lengthMismatch("labels", labels.count, "probability rows", probabilities.count) }
        let classCount = probabilities[0].count
        guard classCount >= 2 else { throw StatisticsError("A classifier needs at least two classes; the probability rows have \(classCount).") }
        var predictions: [Int] = []
        predictions.reserveCapacity(labels.count)
        var confusion = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
        for (row, (label, probabilities)) in zip(labels, probabilities).enumerated() {
            guard probabilities.count == classCount else {
                throw StatisticsError("Row \(row + 1) has \(probabilities.count) probabilities; the first row has \(classCount).")
            }
            guard (0..<classCount).contains(label) else {
                throw StatisticsError("The class in row \(row + 1) is \(label); classes are numbered 0 to \(classCount - 1).")
            }
            if let bad = probabilities.first(where: { !$0.isFinite || $0 < 0 || $0 > 1 }) {
                throw StatisticsError("Row \(row + 1) holds \(bad), which is not a probability.")
            }
            var predicted = 0
            for index in 1..<classCount where probabilities[index] > probabilities[predicted] { predicted = index }
            predictions.append(predicted)
            confusion[label][predicted] += 1
        }
        self.labels = labels
        self.probabilities = probabilities
        self.classCount = classCount
        self.predictions = predictions
        self.confusion = confusion
    }

    public var accuracy: Double {
        Double((0..<classCount).reduce(0) { $0 + confusion[$1][$1] }) / Double(labels.count)
    }

    /// Rows whose true class is each class.
    var support: [Int] { confusion.map { $0.reduce(0, +) } }

    func perClass(_ metric: (_ truePositives: Int, _ falsePositives: Int, _ falseNegatives: Int) -> Double) -> [Double] {
        (0..<classCount).map { index in
            let truePositives = confusion[index][index]
            let predicted = (0..<classCount).reduce(0) { $0 + confusion[$1][index] }
            return metric(truePositives, predicted - truePositives, support[index] - truePositives)
        }
    }

    var precisions: [Double] { perClass { tp, fp, _ in BinaryClassificationMetrics.ratio(tp, tp + fp) } }
    var recalls: [Double] { perClass { tp, _, fn in BinaryClassificationMetrics.ratio(tp, tp + fn) } }
    var f1s: [Double] { perClass { tp, fp, fn in BinaryClassificationMetrics.f1(tp, fp, fn) } }

    func macro(_ values: [Double]) -> Double { CompensatedSum.of(values) / Double(classCount) }

    func weighted(_ values: [Double]) -> Double {
        CompensatedSum.of(zip(values, support).map { $0 * Double($1) }) / Double(labels.count)
    }

    public var precisionMacro: Double { macro(precisions) }
    public var recallMacro: Double { macro(recalls) }
    public var f1Macro: Double { macro(f1s) }
    public var precisionWeighted: Double { weighted(precisions) }
    public var recallWeighted: Double { weighted(recalls) }
    public var f1Weighted: Double { weighted(f1s) }

    /// One-vs-rest ROC AUC averaged over classes; every class must occur.
    public func rocAUC() throws(StatisticsError) -> Double {
        try requireEveryClass("ROC AUC")
        var total = CompensatedSum()
        for index in 0..<classCount {
            total.add(try RankingCurves.rocAUC(labels: labels.map { $0 == index }, scores: probabilities.map { $0[index] }))
        }
        return total.value / Double(classCount)
    }

    /// One-vs-rest average precision averaged over classes; every class must occur.
    public func averagePrecision() throws(StatisticsError) -> Double {
        try requireEveryClass("Average precision (PR AUC)")
        var total = CompensatedSum()
        for index in 0..<classCount {
            total.add(try RankingCurves.averagePrecision(labels: labels.map { $0 == index }, scores: probabilities.map { $0[index] }))
        }
        return total.value / Double(classCount)
    }

    /// Mean negative log-probability of the true class, clipped to [ε, 1 − ε].
    public var logLoss: Double {
        CompensatedSum.of(zip(labels, probabilities).map { -log(ProbabilityClip.clip($1[$0])) }) / Double(labels.count)
    }

    /// Mean over rows of the squared distance between the probability row and the one-hot true class.
    public var brier: Double {
        CompensatedSum.of(
            zip(labels, probabilities).map { label, row in
                row.indices.reduce(0.0) { sum, index in
                    let difference = row[index] - (index == label ? 1 : 0)
                    return sum + difference * difference
                }
            }) / Double(labels.count)
    }

    func requireEveryClass(_ metric: String) throws(StatisticsError) {
        if let missing = support.firstIndex(of: 0) {
            throw StatisticsError("\(metric) is undefined over classes that never occur; class \(missing) has no row.")
        }
    }
}
