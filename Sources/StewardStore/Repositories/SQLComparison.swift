import SQLKit
import StewardCore

/// Translates one comparison of the search grammar into SQL over a column, with the value always bound.
///
/// `LIKE` is case-sensitive on both engines (SQLite connections set `case_sensitive_like`); `ILIKE` compares
/// lowercased text, which both engines spell the same way. Backslash escapes `%` and `_` on both.
enum SQLComparison {
    static func string(column: String, _ comparator: FilterComparator, _ value: FilterValue) -> SQLQueryString {
        switch (comparator, value) {
        case (.like, .string(let text)):
            return "\(unsafeRaw: column) LIKE \(bind: text) ESCAPE '\\'"
        case (.ilike, .string(let text)):
            return "LOWER(\(unsafeRaw: column)) LIKE LOWER(\(bind: text)) ESCAPE '\\'"
        case (.in, .strings(let items)):
            return items.isEmpty ? "1 = 0" : "\(unsafeRaw: column) IN (\(binds: items))"
        case (.notIn, .strings(let items)):
            return items.isEmpty ? "1 = 1" : "\(unsafeRaw: column) NOT IN (\(binds: items))"
        case (.isNull, _):
            return "\(unsafeRaw: column) IS NULL"
        case (.isNotNull, _):
            return "\(unsafeRaw: column) IS NOT NULL"
        case (_, .string(let text)):
            return "\(unsafeRaw: column) \(unsafeRaw: comparator.rawValue) \(bind: text)"
        case (_, .number(let number)):
            return "\(unsafeRaw: column) \(unsafeRaw: comparator.rawValue) \(bind: String(number))"
        default:
            return "1 = 0"
        }
    }

    static func number(column: String, _ comparator: FilterComparator, _ value: FilterValue) -> SQLQueryString {
        guard case .number(let number) = value else { return "1 = 0" }
        // Integral thresholds are bound as integers so BIGINT columns compare exactly on both engines.
        if number == number.rounded(), abs(number) < 9.0e15 {
            return "\(unsafeRaw: column) \(unsafeRaw: comparator.rawValue) \(bind: Int64(number))"
        }
        return "\(unsafeRaw: column) \(unsafeRaw: comparator.rawValue) \(bind: number)"
    }
}
