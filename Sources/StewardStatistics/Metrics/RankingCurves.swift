/// Areas under the ROC and precision-recall curves of scores against binary labels, with tied scores handled
/// as scikit-learn does: one curve point per distinct score.
enum RankingCurves {
    /// Counts of positives and negatives at each distinct score, highest score first.
    static func groups(labels: [Bool], scores: [Double]) -> [(positives: Int, negatives: Int)] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var groups: [(positives: Int, negatives: Int)] = []
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            var group = (positives: 0, negatives: 0)
            while index < order.count, scores[order[index]] == score {
                if labels[order[index]] { group.positives += 1 } else { group.negatives += 1 }
                index += 1
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
