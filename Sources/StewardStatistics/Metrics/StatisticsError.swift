/// Why a statistic cannot be computed for the given data. Metrics never return NaN silently: an undefined
/// value is one of these, with a message that says what is missing.
public struct StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    public static let empty = StatisticsError("There are no rows to compute metrics over.")

    static func lengthMismatch(_ first: String, _ firstCount: Int, _ second: String, _ secondCount: Int) -> StatisticsError {
        StatisticsError("\(first) has \(firstCount) values but \(second) has \(secondCount); they must pair up row by row.")
    }

    static func notFinite(_ what: String, row: Int) -> StatisticsError {
        StatisticsError("\(what) in row \(row + 1) is not a finite number.")
    }
}
