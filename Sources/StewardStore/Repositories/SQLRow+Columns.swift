import SQLKit

/// Typed column access with the column name in the error, for the handful of types the schema uses.
extension SQLRow {
    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decode(column: column, as: String?.self)
    }

    func int64(_ column: String) throws -> Int64 {
        try decode(column: column, as: Int64.self)
    }

    func optionalInt64(_ column: String) throws -> Int64? {
        try decode(column: column, as: Int64?.self)
    }

    func double(_ column: String) throws -> Double {
        try decode(column: column, as: Double.self)
    }

    func optionalDouble(_ column: String) throws -> Double? {
        try decode(column: column, as: Double?.self)
    }

    /// A metric value stored as `value` + `is_nan` (SQLite cannot store NaN).
    func metricValue() throws -> Double {
        try int64("is_nan") != 0 ? .nan : double("value")
    }
}

/// How a metric value is written: NaN becomes 0 with the `is_nan` flag set.
enum StoredMetricValue {
    static func value(_ value: Double) -> Double { value.isNaN ? 0 : value }
    static func isNaN(_ value: Double) -> Int { value.isNaN ? 1 : 0 }
}
