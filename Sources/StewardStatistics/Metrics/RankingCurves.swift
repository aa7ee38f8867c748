/// Areas under the ROC and precision-recall curves of scores against binary labels, with tied scores handled
/// as scikit-learn does: one curve point per distinct score.
enum RankingCurves {
    /// Counts of positives and negatives at each distinct score, highest score first: the scores of each class
    /// are radix-sorted on their own and merged from the top.
    static func groups(labels: [Bool], scores: [Double]) -> [(positives: Int, negatives: Int)] {
        var positiveScores: [Double] = []
        var negativeScores: [Double] = []
        for (label, score) in zip(labels, scores) {
            if label { positiveScores.append(score) } else { negativeScores.append(score) }
        }
        let positives = RadixSort.sorted(positiveScores)
        let negatives = RadixSort.sorted(negativeScores)
        var groups: [(positives: Int, negatives: Int)] = []
        var positive = positives.count - 1
        var negative = negatives.count - 1
        while positive >= 0 || negative >= 0 {
            let score =
                positive < 0 ? negatives[negative] : negative < 0 ? positives[positive] : Swift.max(positives[positive], negatives[negative])
            var group = (positives: 0, negatives: 0)
            while positive >= 0, positives[positive] == score {
                group.positives += 1
                positive -= 1
            }
            while negative >= 0, negatives[negative] == score {
                group.negatives += 1
                negative -= 1
            }
            groups.append(group)
        }
        return groups
    }

    /// ROC AUC by the trapezoidal rule over distinct thresholds; needs both classes present.
    static func rocAUC(labels: [Bool], scores: [Double]) throws(StatisticsError) -> Double {
        try rocAUC(groups(labels: labels, scores: scores))
    }

    static func rocAUC(_ groups: [(positives: Int, negatives: Int)]) throws(StatisticsError) -> Double {
        let positives = groups.reduce(0) { $0 + $1.positives }
        let negatives = groups.reduce(0) { $0 + $1.negatives }
        guard positives > 0, negatives > 0 else {
            throw StatisticsError("ROC AUC is undefined when only one class is present (\(positives) positives, \(negatives) negatives).")
        }
        var area = CompensatedSum()
        var truePositives = 0
        for group in groups {
            area.add(Double(group.negatives) * (Double(truePositives) + Double(group.positives) / 2))
            truePositives += group.positives
        }
        return area.value / (Double(positives) * Double(negatives))
    }

    /// Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds, the step-wise area scikit-learn reports
    /// as `average_precision_score`; needs at least one positive.
    static func averagePrecision(labels: [Bool], scores: [Double]) throws(StatisticsError) -> Double {
        try averagePrecision(groups(labels: labels, scores: scores))
    }

    static func averagePrecision(_ groups: [(positives: Int, negatives: Int)]) throws(StatisticsError) -> Double {
        let positives = groups.reduce(0) { $0 + $1.positives }
        guard positives > 0 else { throw StatisticsError("Average precision (PR AUC) is undefined without any positive row.") }
        var area = CompensatedSum()
        var truePositives = 0
        var falsePositives = 0
        for group in groups {
            truePositives += group.positives
            falsePositives += group.negatives
            let precision = Double(truePositives) / Double(truePositives + falsePositives)
            area.add(Double(group.positives) / Double(positives) * precision)
        }
        return area.value
    }
}
