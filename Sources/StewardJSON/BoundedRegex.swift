import Foundation
import Synchronization

/// A regular expression (ICU syntax, as `NSRegularExpression` reads it) whose matching has a bounded cost.
///
/// Patterns come from users: a test set's references read as patterns, a JSON Schema's `pattern`. A backtracking
/// engine takes exponential time on patterns such as `^(a+)+$` against `aaaa…!`, so every search watches the
/// clock through the progress reports ICU makes while it works (at each start position it tries and about every
/// ten thousand backtracking steps) and stops when the search, or the evaluation it belongs to
/// (`RegexBudget.current`), has used its time. A stopped search has no answer: the caller reports it as such
/// rather than guessing.
public struct BoundedRegex: Sendable {
    public let pattern: String
    private let expression: NSRegularExpression

    /// Compiles `pattern`; nil when it is not a valid expression. An empty pattern matches everything.
    public init?(_ pattern: String) {
        guard let expression = try? NSRegularExpression(pattern: pattern.isEmpty ? "(?:)" : pattern) else { return nil }
        self.pattern = pattern
        self.expression = expression
    }

    /// Whether the expression matches somewhere in `text`; nil when the search ran out of time.
    public func search(_ text: String) -> Bool? {
        let budget = RegexBudget.current
        let allowed = min(RegexBudget.perSearch, budget?.remaining ?? RegexBudget.perSearch)
        guard allowed > .zero else {
            budget?.recordStop()
            return nil
        }
        let clock = ContinuousClock()
        let started = clock.now
        var matched = false
        var stopped = false
        expression.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { result, _, stop in
            if result != nil {
                matched = true
                stop.pointee = true
            } else if clock.now - started > allowed {
                stopped = true
                stop.pointee = true
            }
        }
        budget?.spend(clock.now - started)
        if stopped { budget?.recordStop() }
        return stopped ? nil : matched
    }
}

/// The matching time one evaluation may spend on user-given patterns, shared by every search made while it is
/// `current` (a task-local value, so the kernels that search need not carry it).
public final class RegexBudget: Sendable {
    /// The longest one search may take: `^(a+)+$` against 30 `a`s and `!` would take about a second.
    public static let perSearch = Duration.milliseconds(100)
    /// The time one evaluation may spend searching in all.
    public static let perEvaluation = Duration.seconds(2)

    @TaskLocal public static var current: RegexBudget?

    private let remainingNanoseconds: Atomic<Int64>
    private let stops = Atomic(0)

    public init(time: Duration = RegexBudget.perEvaluation) {
        remainingNanoseconds = Atomic(Self.nanoseconds(time))
    }

    /// The time left to search.
    public var remaining: Duration { .nanoseconds(max(0, remainingNanoseconds.load(ordering: .relaxed))) }

    /// Whether all the time has been used.
    public var isSpent: Bool { remainingNanoseconds.load(ordering: .relaxed) <= 0 }

    /// How many searches were stopped without an answer.
    public var stoppedSearches: Int { stops.load(ordering: .relaxed) }

    func spend(_ time: Duration) {
        remainingNanoseconds.subtract(Self.nanoseconds(time), ordering: .relaxed)
    }

    func recordStop() {
        stops.add(1, ordering: .relaxed)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
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
