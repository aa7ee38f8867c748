import Foundation

/// Metrics of a binary classifier from labels and scores, predicting positive when the score reaches the
/// threshold. Definitions follow scikit-learn (`zero_division=0` for precision, recall and F1).
public struct BinaryClassificationMetrics: Sendable {
    public let labels: [Bool]
    public let scores: [Double]
    public let threshold: Double
    public let truePositives: Int
    public let falsePositives: Int
    public let falseNegatives: Int
    public let trueNegatives: Int
    /// Positives and negatives per distinct score, highest first: one sort shared by ROC AUC and PR AUC.
    let rankingGroups: [(positives: Int, negatives: Int)]

    public init(labels: [Bool], scores: [Double], threshold: Double = 0.5) throws(StatisticsError) {
        guard !labels.isEmpty else { throw .empty }
        guard labels.count == scores.count else { throw .lengthMismatch("labels", labels.count, "scores", scores.count) }
        if let row = scores.firstIndex(where: { !$0.isFinite }) { throw .notFinite("The score", row: row) }
        guard threshold.isFinite else { throw StatisticsError("The threshold must be a finite number.") }
        var counts = (tp: 0, fp: 0, fn: 0, tn: 0)
        for (label, score) in zip(labels, scores) {
            switch (label, score >= threshold) {
            case (true, true): counts.tp += 1
            case (false, true): counts.fp += 1
            case (true, false): counts.fn += 1
            case (false, false): counts.tn += 1
            }
        }
        self.labels = labels
        self.scores = scores
        self.threshold = threshold
        (truePositives, falsePositives, falseNegatives, trueNegatives) = counts
        rankingGroups = RankingCurves.groups(labels: labels, scores: scores)
    }

    var count: Double { Double(labels.count) }

    public var accuracy: Double { Double(truePositives + trueNegatives) / count }

    public var precision: Double { Self.ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { Self.ratio(truePositives, truePositives + falseNegatives) }
    public var f1: Double { Self.f1(truePositives, falsePositives, falseNegatives) }

    /// The same for the negative class, for macro and weighted averages.
    var negativePrecision: Double { Self.ratio(trueNegatives, trueNegatives + falseNegatives) }
    var negativeRecall: Double { Self.ratio(trueNegatives, trueNegatives + falsePositives) }
    var negativeF1: Double { Self.f1(trueNegatives, falseNegatives, falsePositives) }

    public var precisionMacro: Double { (precision + negativePrecision) / 2 }
    public var recallMacro: Double { (recall + negativeRecall) / 2 }
    public var f1Macro: Double { (f1 + negativeF1) / 2 }
    /// F1 per class weighted by each class's number of true rows.
    public var f1Weighted: Double {
        (f1 * Double(truePositives + falseNegatives) + negativeF1 * Double(trueNegatives + falsePositives)) / count
    }

    public func rocAUC() throws(StatisticsError) -> Double { try RankingCurves.rocAUC(rankingGroups) }

    public func averagePrecision() throws(StatisticsError) -> Double { try RankingCurves.averagePrecision(rankingGroups) }

    /// Mean negative log-likelihood of the labels, with scores read as probabilities clipped to [ε, 1 − ε].
    public func logLoss() throws(StatisticsError) -> Double {
        try requireProbabilities("Log loss")
        var total = CompensatedSum()
        for (label, score) in zip(labels, scores) {
            total.add(-log(ProbabilityClip.clip(label ? score : 1 - score)))
        }
        return total.value / count
    }

    /// Mean squared difference between probability and outcome.
    public func brier() throws(StatisticsError) -> Double {
        try requireProbabilities("The Brier score")
        var total = CompensatedSum()
        for (label, score) in zip(labels, scores) {
            let difference = score - (label ? 1 : 0)
            total.add(difference * difference)
        }
        return total.value / count
    }

    func requireProbabilities(_ metric: String) throws(StatisticsError) {
        if let row = scores.firstIndex(where: { $0 < 0 || $0 > 1 }) {
            throw StatisticsError("\(metric) needs probabilities, but the score in row \(row + 1) is \(scores[row]).")
        }
    }

    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    static func f1(_ truePositives: Int, _ falsePositives: Int, _ falseNegatives: Int) -> Double {
        ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives)
    }
}

/// Probabilities as log loss reads them: clipped to [ε, 1 − ε] with ε the spacing of doubles at 1, as
/// scikit-learn does, so a confident mistake costs a large finite amount instead of infinity.
enum ProbabilityClip {
    static func clip(_ probability: Double) -> Double {
        min(max(probability, Double.ulpOfOne), 1 - Double.ulpOfOne)
    }
}
