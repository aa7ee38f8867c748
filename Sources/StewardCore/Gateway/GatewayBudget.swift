import Foundation

/// Spending limits of a system or of one of its keys, per UTC day and per UTC month; nil is no limit.
public struct GatewayBudget: Sendable, Equatable {
    public var dailyUSD: Decimal?
    public var monthlyUSD: Decimal?

    public init(dailyUSD: Decimal?, monthlyUSD: Decimal?) {
        self.dailyUSD = dailyUSD
        self.monthlyUSD = monthlyUSD
    }

    /// What a budget applies to (a system's calls, or one key's), or what spend is also tallied by (a system's
    /// calls of one model, or of one prompt version).
    public enum Scope: Sendable, Hashable {
        case system(String)
        case key(String)
        case model(system: String, name: String)
        case prompt(system: String, name: String, version: String)

        /// The scope as stored: `system:<id>`, `key:<id>`, `model:<system>/<name>` or `prompt:<system>/<name>/<version>`.
        public var text: String {
            switch self {
            case .system(let id): "system:\(id)"
            case .key(let id): "key:\(id)"
            case .model(let system, let name): "model:\(system)/\(name)"
            case .prompt(let system, let name, let version): "prompt:\(system)/\(name)/\(version)"
            }
        }

        /// A stored scope of `system` as its spend report shows it (`Spend.scope`): `system`, `key:<id>`,
        /// `model:<name>` or `prompt:<name>/<version>`.
        public static func reported(_ stored: String, system: String) -> String {
            if stored == Scope.system(system).text { return "system" }
            for prefix in ["model:", "prompt:"] where stored.hasPrefix(prefix + system + "/") {
                return prefix + stored.dropFirst(prefix.count + system.count + 1)
            }
            return stored
        }

        /// How a refusal names it.
        public var name: String {
            switch self {
            case .system(let id): "system '\(id)'"
            case .key(let id): "key '\(id)'"
            case .model(_, let name): "model '\(name)'"
            case .prompt(_, let name, let version): "prompt '\(name)' version \(version)"
            }
        }
    }

    /// What one scope spent in a day and in its month, and in how many calls.
    public struct Spend: Sendable, Equatable {
        /// The scope as a report shows it, without its system: `system`, `key:<id>`, `model:<name>` or
        /// `prompt:<name>/<version>`.
        public var scope: String
        public var today: Decimal
        public var callsToday: Int64
        public var month: Decimal
        public var callsThisMonth: Int64

        public init(scope: String, today: Decimal = 0, callsToday: Int64 = 0, month: Decimal = 0, callsThisMonth: Int64 = 0) {
            self.scope = scope
            self.today = today
            self.callsToday = callsToday
            self.month = month
            self.callsThisMonth = callsThisMonth
        }
    }

    /// The UTC day and month a time falls in, as stored: `2026-12-03` and `2026-12`.
    public struct Periods: Sendable, Hashable {
        public let day: String
        public let month: String

        /// The day given as `YYYY-MM-DD` and its month; nil for any other text.
        public init?(day: String) {
            let parts = day.split(separator: "-", omittingEmptySubsequences: false)
            guard day.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                let month = Int(parts[1]), (1...12).contains(month), let date = Int(parts[2]), (1...31).contains(date)
            else { return nil }
            self.day = day
            self.month = String(day.prefix(7))
        }

        public init(at milliseconds: Int64) {
            // From the ISO text, computed by arithmetic: a calendar per call showed in the gateway's profile.
            let text = EpochClock.iso(milliseconds)
            day = String(text.prefix(10))
            month = String(text.prefix(7))
        }
    }
}

/// Amounts of money in whole picodollars (10⁻¹² USD), the unit budgets are kept and summed in: exact for every
/// call's cost, since prices per million tokens have at most six decimal places, and summed by the database
/// without rounding.
public enum Picodollars {
    /// `dollars` in picodollars, rounded up (a cost is never under-counted); clamped to Int64's range.
    public static func of(_ dollars: Decimal) -> Int64 {
        var scaled = dollars.timesPowerOfTen(12)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .up)
        if rounded >= Decimal(Int64.max) { return Int64.max }
        if rounded <= 0 { return 0 }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// Picodollars as dollars, exact.
    public static func dollars(_ amount: Int64) -> Decimal {
        Decimal(amount).timesPowerOfTen(-12)
    }

    /// Picodollars as dollars in a `Double`, for an inference event's cost (the exact amount is the spend's).
    public static func approximateDollars(_ amount: Int64) -> Double { Double(amount) / 1e12 }

    /// `left × right`, or Int64's maximum when that overflows: costs and counts come from requests and providers,
    /// and a cost too large to hold must still be too large for any budget.
    static func product(_ left: Int64, _ right: Int64) -> Int64 {
        let (value, overflow) = left.multipliedReportingOverflow(by: right)
        return overflow ? Int64.max : value
    }

    /// `left + right`, or Int64's maximum when that overflows (see `product`).
    static func sum(_ left: Int64, _ right: Int64) -> Int64 {
        let (value, overflow) = left.addingReportingOverflow(right)
        return overflow ? Int64.max : value
    }
}

extension Decimal {
    /// The value times 10^`power`, exact and cheap: only the exponent moves. Dividing by a million instead was
    /// 3.5% of a gateway call's CPU time (`bench/gateway.py` under `perf`).
    public func timesPowerOfTen(_ power: Int) -> Decimal {
        Decimal(sign: sign, exponent: power, significand: magnitude)
    }
}

/// What a call holds of its budgets while it runs: released and replaced by its real cost when it ends.
public struct GatewayReservation: Sendable, Equatable {
    /// The scopes the call's cost counts against (its system, its key).
    public let scopes: [GatewayBudget.Scope]
    /// Those of `scopes` with a budget, which hold `amount` each.
    public let held: [String]
    public let periods: GatewayBudget.Periods
    /// Held, in picodollars; 0 when no budget applies.
    public let amount: Int64
    /// The most completion tokens the call may produce (per choice) to stay within what is held; nil for no limit.
    public let maximumCompletionTokens: Int64?
}
