import PostgresNIO

/// Recognises constraint violations from either engine, so that a race two callers lose at the database is
/// reported as the domain error a prior check would have raised.
enum DatabaseConstraint {
    /// Whether `error` is a UNIQUE or PRIMARY KEY violation.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteError {
            return error.isUniqueViolation
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "23505"
        }
        return false
    }
}
