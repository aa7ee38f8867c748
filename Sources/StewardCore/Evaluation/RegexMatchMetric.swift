import StewardJSON
import StewardStatistics

/// The text task's `regex_match`: the share of outputs matched by their reference read as a regular expression.
///
/// References are user input, so every search is bounded (`BoundedRegex`): when one cannot be decided within
/// the budget the metric has no value, and the reason names the row and the pattern.
enum RegexMatchMetric {
    static func value(references: [String], outputs: [String]) throws(StatisticsError) -> Double {
        guard !references.isEmpty else { throw .empty }
        var matched = 0
        for (row, (pattern, output)) in zip(references, outputs).enumerated() {
            guard let expression = BoundedRegex(pattern) else {
                throw StatisticsError("The reference in row \(row + 1) is not a valid regular expression: \(pattern)")
            }
            guard let found = expression.search(output) else {
                throw StatisticsError(
                    "The reference in row \(row + 1) (\(pattern.prefix(200))) could not be matched within the budget: "
                        + RegexBudgetExceeded(stoppedSearches: 1).description)
            }
            if found { matched += 1 }
        }
        return Double(matched) / Double(references.count)
    }
}
