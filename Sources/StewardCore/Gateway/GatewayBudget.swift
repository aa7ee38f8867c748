import Foundation

/// Spending limits of a system or of one of its keys, per UTC day and per UTC month; nil is no limit.
public struct GatewayBudget: Sendable, Equatable {
    public var dailyUSD: Decimal?
    public var monthlyUSD: Decimal?

    public init(dailyUSD: Decimal?, monthlyUSD: Decimal?) {
        self.dailyUSD = dailyUSD
        self.monthlyUSD = monthlyUSD
    }

    /// What a budget applies to: a system's calls, or one key's.
    public enum Scope: Sendable, Hashable {
        case system(String)
        case key(String)

        /// The scope as stored: `system:<id>` or `key:<id>`.
        public var text: String {
            switch self {
            case .system(let id): "system:\(id)"
            case .key(let id): "key:\(id)"
            }
        }

        /// How a refusal names it.
        public var name: String {
            switch self {
            case .system(let id): "system '\(id)'"
            case .key(let id): "key '\(id)'"
            }
        }
    }

    /// The UTC day and month a time falls in, as stored: `2026-12-03` and `2026-12`.
    public struct Periods: Sendable, Equatable {
        public let day: String
        public let month: String

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
        var scaled = dollars * Decimal(sign: .plus, exponent: 12, significand: 1)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .up)
        if rounded >= Decimal(Int64.max) { return Int64.max }
        if rounded <= 0 { return 0 }
        return NSDecimalNumber(decimal: rounded).int64Value
    }

    /// Picodollars as dollars, exact.
    public static func dollars(_ amount: Int64) -> Decimal {
        Decimal(amount) / Decimal(sign: .plus, exponent: 12, significand: 1)
    }
}

/// What a call holds of its budgets while it runs: released and replaced by its real cost when it ends.
public struct GatewayReservation: Sendable, Equatable {
    public let id: String
    public let scopes: [GatewayBudget.Scope]
    public let periods: GatewayBudget.Periods
    /// Held, in picodollars; 0 when no budget applies.
    public let amount: Int64
    /// The most completion tokens the call may produce (per choice) to stay within what is held; nil for no limit.
    public let maximumCompletionTokens: Int64?
}
