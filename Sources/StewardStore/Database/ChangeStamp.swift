import SQLKit

/// What a change stamp follows: a counter in the database that triggers move with every commit changing its
/// tables, by any connection, process or replica (migrations 18 and 26), so that what was read under one value
/// may be kept in memory for as long as the stamp stays the same.
public enum ChangeStamp: Sendable, CaseIterable {
    /// Deployments and systems: which deployment serves a system.
    case serving
    /// Users and API tokens: whom a token stands for, with which role, until when.
    case credentials

    /// The one-row table that holds the counter.
    var table: String {
        switch self {
        case .serving: "serving_stamp"
        case .credentials: "credentials_stamp"
        }
    }

    /// The counter's value as `db` sees it (0 before its row exists).
    func current(on db: any SQLDatabase) async throws -> Int64 {
        try await db.raw("SELECT value FROM \(unsafeRaw: table)").first()?.int64("value") ?? 0
    }
}
