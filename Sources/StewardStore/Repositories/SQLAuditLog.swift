import Foundation
import SQLKit
import StewardCore

/// Appends to the audit chain inside a caller's transaction, so that an audited change and its event commit
/// together or not at all.
enum SQLAuditLog {
    /// Seals `entry` after the chain head and stores it. On PostgreSQL the head row is locked first, so that
    /// concurrent appends take turns; SQLite has one writer already.
    static func append(_ entry: AuditEntry, now: Int64, engine: SQLEngine, on db: any SQLDatabase) async throws {
        let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE" : ""
        guard let head = try await db.raw("SELECT sequence, hash FROM audit_chain_head WHERE id = 1\(lock)").first() else {
            throw StewardError(.internalError, "The audit chain head is missing; the audit log cannot be appended to.")
        }
        if let after = entry.decidedAfter, try head.int64("sequence") > after {
            try await requireUnchangedFacts(of: entry, after: after, on: db)
        }
        let event = AuditEvent(sealing: entry, sequence: try head.int64("sequence") + 1, time: now, prevHash: try head.string("hash"))
        try await db.raw(
            """
            INSERT INTO audit_events (sequence, event_time, actor, action, outcome, target, system_id, details, prev_hash, hash)
            VALUES (\(bind: event.sequence), \(bind: event.time), \(bind: event.actor), \(bind: event.action), \(bind: event.outcome.rawValue),
                    \(bind: event.target), \(bind: event.systemID), \(bind: encode(event.details)), \(bind: event.prevHash), \(bind: event.hash))
            """
        ).run()
        try await db.raw("UPDATE audit_chain_head SET sequence = \(bind: event.sequence), hash = \(bind: event.hash) WHERE id = 1").run()
    }

    /// Refuses (`resourceConflict`) when an allowed event that could change the decision's facts (about its
    /// system, or the policy) was appended after `after`. The caller holds the chain head, so none can be appended
    /// meanwhile.
    static func requireUnchangedFacts(of entry: AuditEntry, after: Int64, on db: any SQLDatabase) async throws {
        let actions = AuditEntry.decisionActions.map { prefix -> SQLQueryString in
            prefix.hasSuffix(".") ? "action LIKE \(bind: prefix + "%")" : "action = \(bind: prefix)"
        }.joined(separator: " OR ")
        let scope: SQLQueryString = entry.systemID.map { "system_id = \(bind: $0) OR " } ?? ""
        let changed = try await db.raw(
            """
            SELECT action FROM audit_events WHERE sequence > \(bind: after) AND outcome = 'allowed' AND (\(scope)action = 'policy.update')
            AND (\(actions)) ORDER BY sequence LIMIT 1
            """
        ).first()
        if let changed {
            throw StewardError(
                .resourceConflict,
                "\(AuditEntry.factsChanged) ('\(try changed.string("action"))' was recorded meanwhile); nothing was written. Try again.")
        }
    }

    static func encode(_ details: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(details)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func event(_ row: any SQLRow) throws -> AuditEvent {
        let detailsText = try row.string("details")
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(detailsText.utf8)) else {
            throw StewardError(.internalError, "Audit event \(try row.int64("sequence")) has unreadable details.")
        }
        return AuditEvent(
            sequence: try row.int64("sequence"), time: try row.int64("event_time"), actor: try row.string("actor"), action: try row.string("action"),
            outcome: AuditEntry.Outcome(rawValue: try row.string("outcome")) ?? .refused, target: try row.string("target"),
            systemID: try row.optionalString("system_id"), details: details, prevHash: try row.string("prev_hash"), hash: try row.string("hash"))
    }
}
