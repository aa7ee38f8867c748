import SQLKit
import StewardCore

/// Tables of versioned documents (the governance policy, the gateway's configuration): every version kept, each
/// numbered after the last, written with its audit entry in one transaction. Replicas storing at once take turns
/// on PostgreSQL by an advisory lock per table.
enum SQLDocumentVersions {
    /// A stored version.
    struct Stored {
        let version: Int64
        let document: String
        let author: String
        let createdAt: Int64
    }

    /// The newest version in `table`, nil when none was stored.
    static func current(in table: String, of database: any StoreDatabase) async throws -> Stored? {
        try await database.read { db in
            guard
                let row = try await db.raw("SELECT version, document, author, created_at FROM \(unsafeRaw: table) ORDER BY version DESC LIMIT 1")
                    .first()
            else { return nil }
            return Stored(
                version: try row.int64("version"), document: try row.string("document"), author: try row.string("author"),
                createdAt: try row.int64("created_at"))
        }
    }

    /// Stores `document` as the version after the newest in `table` and returns its number; `lock` is the table's
    /// advisory lock key on PostgreSQL.
    static func store(
        _ document: String, author: String, now: Int64, audit: AuditEntry, in table: String, lock: Int64, of database: any StoreDatabase
    ) async throws -> Int64 {
        let engine = database.engine
        return try await database.write { db in
            if engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(\(bind: lock))").run() }
            let last = try await db.raw("SELECT MAX(version) AS version FROM \(unsafeRaw: table)").first()?.optionalInt64("version") ?? 0
            let version = last + 1
            try await db.raw(
                """
                INSERT INTO \(unsafeRaw: table) (version, document, author, created_at)
                VALUES (\(bind: version), \(bind: document), \(bind: author), \(bind: now))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(version)"
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return version
        }
    }
}
