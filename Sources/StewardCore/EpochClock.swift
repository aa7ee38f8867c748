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

    /// A time as people write it: epoch milliseconds (`1764547200000`), an ISO 8601 date (`2026-12-01`, midnight
    /// UTC), or an ISO 8601 date and time with its zone (`2026-12-01T09:30:00Z`, `2026-12-01T10:30:00.250+01:00`);
    /// nil for anything else.
    public static func milliseconds(parsing text: String) -> Int64? {
        if let milliseconds = Int64(text) { return milliseconds }
        guard let date = date(text) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
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
