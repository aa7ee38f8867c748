/// Group fairness of binary decisions over one sensitive attribute: per group its size, selection rate, true
/// and false positive rates; across groups demographic parity (difference and ratio), the four-fifths rule
/// and the equalized-odds difference, as Fairlearn defines them.
public struct FairnessMetrics: Sendable {
    public struct Group: Sendable, Equatable {
        public let name: String
        public let size: Int
        public let selectionRate: Double
        /// nil when the group has no positive row.
        public let truePositiveRate: Double?
        /// nil when the group has no negative row.
        public let falsePositiveRate: Double?
    }

    /// Groups in name order.
    public let groups: [Group]

    public init(labels: [Bool], predictions: [Bool], groups names: [String]) throws(StatisticsError) {
        guard !labels.isEmpty else { throw .empty }
        guard labels.count == predictions.count else { throw .lengthMismatch("labels", labels.count, "predictions", predictions.count) }
        guard labels.count == names.count else { throw .lengthMismatch("labels", labels.count, "group values", names.count) }
        var tallies: [String: (size: Int, selected: Int, positives: Int, truePositives: Int, negatives: Int, falsePositives: Int)] = [:]
        for ((label, predicted), name) in zip(zip(labels, predictions), names) {
            var tally = tallies[name] ?? (0, 0, 0, 0, 0, 0)
            tally.size += 1
            if predicted { tally.selected += 1 }
            if label {
                tally.positives += 1
                if predicted { tally.truePositives += 1 }
            } else {
                tally.negatives += 1
                if predicted { tally.falsePositives += 1 }
            }
            tallies[name] = tally
        }
        guard tallies.count >= 2 else { throw StatisticsError("Fairness compares groups, but every row is in one group.") }
        groups = tallies.sorted { $0.key < $1.key }.map { name, tally in
            Group(
                name: name, size: tally.size, selectionRate: Double(tally.selected) / Double(tally.size),
                truePositiveRate: tally.positives == 0 ? nil : Double(tally.truePositives) / Double(tally.positives),
                falsePositiveRate: tally.negatives == 0 ? nil : Double(tally.falsePositives) / Double(tally.negatives))
        }
    }

    var selectionRates: [Double] { groups.map(\.selectionRate) }

    public var demographicParityDifference: Double { (selectionRates.max() ?? 0) - (selectionRates.min() ?? 0) }

    /// Lowest selection rate over the highest; undefined when no group is ever selected.
    public func demographicParityRatio() throws(StatisticsError) -> Double {
        guard let highest = selectionRates.max(), highest > 0 else {
            throw StatisticsError("The demographic parity ratio is undefined when no group has any row selected.")
        }
        return (selectionRates.min() ?? 0) / highest
    }

    /// Whether some group's selection rate is below four fifths of the highest (adverse impact).
    public var violatesFourFifthsRule: Bool {
        guard let highest = selectionRates.max() else { return false }
        return selectionRates.contains { $0 < 0.8 * highest }
    }

    /// The larger of the spreads of true positive rates and of false positive rates across groups.
    public func equalizedOddsDifference() throws(StatisticsError) -> Double {
        if let group = groups.first(where: { $0.truePositiveRate == nil }) {
            throw StatisticsError("The equalized odds difference is undefined: group '\(group.name)' has no positive row.")
        }
        if let group = groups.first(where: { $0.falsePositiveRate == nil }) {
            throw StatisticsError("The equalized odds difference is undefined: group '\(group.name)' has no negative row.")
        }
        let tprs = groups.compactMap(\.truePositiveRate)
        let fprs = groups.compactMap(\.falsePositiveRate)
        return max((tprs.max() ?? 0) - (tprs.min() ?? 0), (fprs.max() ?? 0) - (fprs.min() ?? 0))
    }
}
