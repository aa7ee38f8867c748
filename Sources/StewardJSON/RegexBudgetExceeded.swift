/// Searches with user-given patterns were stopped by their budget, so what depended on them has no value.
public struct RegexBudgetExceeded: Error, Sendable, CustomStringConvertible {
    public let stoppedSearches: Int

    public init(stoppedSearches: Int) {
        self.stoppedSearches = stoppedSearches
    }

    public var description: String {
        "\(stoppedSearches) regular-expression \(stoppedSearches == 1 ? "search" : "searches") took more than the matching budget "
            + "(\(RegexBudget.perSearch) per search, \(RegexBudget.perEvaluation) per evaluation): "
            + "the pattern backtracks catastrophically on these inputs; simplify it (avoid nested quantifiers such as (a+)+)."
    }
}
