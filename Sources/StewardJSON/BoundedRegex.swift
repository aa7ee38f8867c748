import Foundation
import Synchronization

/// A regular expression (ICU syntax, as `NSRegularExpression` reads it) whose matching has a bounded cost.
///
/// Patterns come from users: a test set's references read as patterns, a JSON Schema's `pattern`. A backtracking
/// engine takes exponential time on patterns such as `^(a+)+$` against `aaaa…!`, so every search counts the
/// progress reports ICU makes while it works (one about every ten thousand backtracking steps) and stops when the
/// search, or the evaluation it belongs to (`RegexBudget.current`), has used its share. A stopped search has no
/// answer: the caller reports it as such rather than guessing.
public struct BoundedRegex: Sendable {
    public let pattern: String
    private let expression: NSRegularExpression

    /// Compiles `pattern`; nil when it is not a valid expression. An empty pattern matches everything.
    public init?(_ pattern: String) {
        guard let expression = try? NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : pattern) else { return nil }
        self.pattern = pattern
        self.expression = expression
    }

    /// Whether the expression matches somewhere in `text`; nil when the search ran out of budget.
    public func search(_ text: String) -> Bool? {
        let budget = RegexBudget.current
        guard budget?.isSpent != true else {
            budget?.recordStop()
            return nil
        }
        var matched = false
        var progressReports = 0
        var stopped = false
        expression.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { result, _, stop in
            if result != nil {
                matched = true
                stop.pointee = true
                return
            }
            progressReports += 1
            if progressReports > RegexBudget.progressPerSearch || budget?.spend() == false {
                stopped = true
                stop.pointee = true
            }
        }
        if stopped { budget?.recordStop() }
        return stopped ? nil : matched
    }
}

/// The matching work one evaluation may spend on user-given patterns, shared by every search made while it is
/// `current` (a task-local value, so the kernels that search need not carry it).
public final class RegexBudget: Sendable {
    /// ICU progress reports one search may use: about 0.05 s of backtracking on one core of the machine this
    /// was measured on (`^(a+)+$` against 30 `a`s and `!` made 114 reports in 0.05 s).
    public static let progressPerSearch = 100
    /// Progress reports one evaluation may use in all: about a second of backtracking.
    public static let progressPerEvaluation = 2_000

    @TaskLocal public static var current: RegexBudget?

    private let remaining: Atomic<Int>
    private let stops = Atomic(0)

    public init(progressReports: Int = RegexBudget.progressPerEvaluation) {
        remaining = Atomic(progressReports)
    }

    /// How many searches were stopped without an answer.
    public var stoppedSearches: Int { stops.load(ordering: .relaxed) }

    /// Whether every report has been used.
    public var isSpent: Bool { remaining.load(ordering: .relaxed) <= 0 }

    /// Uses one progress report; false when none was left.
    func spend() -> Bool {
        remaining.subtract(1, ordering: .relaxed).newValue >= 0
    }

    func recordStop() {
        stops.add(1, ordering: .relaxed)
    }

    /// Runs `work` with a fresh budget as `current` unless one is current already, and tells how many searches
    /// made meanwhile were stopped.
    public static func measuring<Result>(_ work: () throws -> Result) rethrows -> (result: Result, stoppedSearches: Int) {
        if let budget = current {
            let before = budget.stoppedSearches
            let result = try work()
            return (result, budget.stoppedSearches - before)
        }
        let budget = RegexBudget()
        let result = try $current.withValue(budget) { try work() }
        return (result, budget.stoppedSearches)
    }
}
