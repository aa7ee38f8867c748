import Foundation

/// Wall-clock time as MLflow counts it: whole milliseconds since the Unix epoch.
public enum EpochClock {
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// An epoch time as ISO 8601 in UTC, to the second (`2026-11-29T13:05:54Z`).
    public static func text(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// An epoch time as ISO 8601 in UTC with milliseconds (`2026-11-29T13:05:54.120Z`), the form the API gives
    /// beside epoch milliseconds. Computed from the day count (proleptic Gregorian calendar), since a date
    /// formatter per value would dominate a page of audit events.
    public static func iso(_ milliseconds: Int64) -> String {
        let (days, remainder) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, millisecond) = remainder < 0 ? (days - 1, remainder + 86_400_000) : (days, remainder)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let time = [millisecond / 3_600_000, millisecond / 60_000 % 60, millisecond / 1000 % 60].map { padded($0, 2) }.joined(separator: ":")
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(dayOfMonth, 2))T\(time).\(padded(millisecond % 1000, 3))Z"
    }

    /// A time as people write it: epoch milliseconds (`1764547200000`), an ISO 8601 date (`2026-12-01`, midnight
    /// UTC), or an ISO 8601 date and time with its zone (`2026-12-01T09:30:00Z`, `2026-12-01T10:30:00.250+01:00`);
    /// nil for anything else.
    public static func milliseconds(parsing text: String) -> Int64? {
        if let milliseconds = Int64(text) { return milliseconds }
        // The fraction is read as digits, not through a Double, which would lose a millisecond now and then.
        var whole = text
        var fraction: Int64 = 0
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let digits = text[text.index(after: dot)..<zone]
            guard (1...9).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let value = Int64(digits.prefix(3).padding(toLength: 3, withPad: "0", startingAt: 0))
            else { return nil }
            fraction = value
            whole = String(text[..<dot] + text[zone...])
        }
        guard let date = date(whole) else { return nil }
        return Int64(date.timeIntervalSince1970.rounded()) * 1000 + fraction
    }

    /// An ISO 8601 date and time with its zone (fractional seconds optional), or a date alone (midnight UTC).
    public static func date(_ text: String) -> Date? {
        // Foundation's styles read a prefix (`2026-12-01T10:00` would pass as midnight), so the shape is checked whole first.
        guard text.utf8.count <= 40, text.wholeMatch(of: /\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2}))?/) != nil else {
            return nil
        }
        if text.utf8.count == 10 { return try? Date.ISO8601FormatStyle().year().month().day().parse(text) }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// A duration in whole milliseconds.
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
