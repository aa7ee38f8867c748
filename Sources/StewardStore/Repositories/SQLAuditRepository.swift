import SQLKit
import StewardCore

/// The audit log in SQL: appends through `SQLAuditLog`, reads in sequence order. It has no statement that
/// changes or removes an event.
public struct SQLAuditRepository: AuditRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func append(_ entry: AuditEntry, now: Int64) async throws {
        let engine = database.engine
        try await database.write { db in try await SQLAuditLog.append(entry, now: now, engine: engine, on: db) }
    }

    public func events(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await database.read { db in
            var conditions: [SQLQueryString] = ["sequence > \(bind: query.afterSequence)"]
            if let system = query.systemID { conditions.append("system_id = \(bind: system)") }
            if let actor = query.actor { conditions.append("actor = \(bind: actor)") }
            if let since = query.since { conditions.append("event_time >= \(bind: since)") }
            if let until = query.until { conditions.append("event_time <= \(bind: until)") }
            if let through = query.throughSequence { conditions.append("sequence <= \(bind: through)") }
            return try await db.raw(
                """
                SELECT sequence, event_time, actor, action, outcome, target, system_id, details, prev_hash, hash FROM audit_events
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY sequence LIMIT \(literal: query.limit)
                """
            ).all().map(SQLAuditLog.event)
        }
    }

    public func head() async throws -> (sequence: Int64, hash: String)? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT sequence, hash FROM audit_chain_head WHERE id = 1").first() else { return nil }
            return (try row.int64("sequence"), try row.string("hash"))
        }
    }
}
