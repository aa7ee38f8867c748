import Foundation
import SQLKit
import StewardCore

/// Alert rules and alerts in SQL; an alert change is written with its audit event and notifications.
public struct SQLAlertRepository: AlertRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func storeAlertRules(systemID: String, document: String, audit: AuditEntry, now: Int64) async throws {
        let engine = database.engine
        try await database.write { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            try await db.raw(
                """
                INSERT INTO alert_rules (system_id, document, updated_at) VALUES (\(bind: systemID), \(bind: document), \(bind: now))
                ON CONFLICT (system_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at
                """
            ).run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func alertRules() async throws -> [String: String] {
        try await database.read { db in
            var rules: [String: String] = [:]
            for row in try await db.raw("SELECT system_id, document FROM alert_rules").all() {
                rules[try row.string("system_id")] = try row.string("document")
            }
            return rules
        }
    }

    public func alertRules(systemID: String) async throws -> String? {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            return try await Self.rules(systemIDs: [systemID], on: db)[systemID]
        }
    }

    /// The alert rules documents of those of `systemIDs` that have some, by system id.
    static func rules(systemIDs: [String], on db: any SQLDatabase) async throws -> [String: String] {
        var rules: [String: String] = [:]
        for row in try await db.raw("SELECT system_id, document FROM alert_rules WHERE system_id IN \(SQLBind.group(systemIDs))").all() {
            rules[try row.string("system_id")] = try row.string("document")
        }
        return rules
    }

    public func alerts(systemID: String, firing: Bool) async throws -> [Alert] {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            let filter: SQLQueryString = firing ? " AND status = 'firing'" : ""
            return try await db.raw(
                """
                SELECT id, system_id, rule, category, status, value, threshold, fired_at, resolved_at FROM alerts
                WHERE system_id = \(bind: systemID)\(filter) ORDER BY fired_at DESC, id
                """
            ).all().map { row in
                Alert(
                    id: try row.string("id"), systemID: try row.string("system_id"), rule: try row.string("rule"),
                    category: AlertRules.Category(rawValue: try row.string("category")) ?? .performance,
                    status: Alert.Status(rawValue: try row.string("status")) ?? .resolved, value: try row.double("value"),
                    threshold: try row.double("threshold"), firedAt: try row.int64("fired_at"), resolvedAt: try row.optionalInt64("resolved_at"))
            }
        }
    }

    public func claimAlertTurn(systemID: String, dueAt: Int64, claimant: String, now: Int64) async throws -> Bool {
        try await database.write { db in
            // Concurrent claims of one turn: PostgreSQL makes the second wait for the first's commit and then finds
            // the turn taken; SQLite's single writer runs them one after the other.
            try await !db.raw(
                """
                INSERT INTO alert_turns (system_id, due_at, claimed_by, claimed_at)
                VALUES (\(bind: systemID), \(bind: dueAt), \(bind: claimant), \(bind: now))
                ON CONFLICT (system_id) DO UPDATE SET due_at = excluded.due_at, claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
                WHERE alert_turns.due_at < excluded.due_at
                RETURNING system_id
                """
            ).all().isEmpty
        }
    }

    public func saveAlertChanges(_ changes: [AlertChange], now: Int64, claimUntil: Int64) async throws -> [AlertChange] {
        let engine = database.engine
        do {
            return try await database.write { db in
                var applied: [AlertChange] = []
                for change in changes {
                    let alert = change.alert
                    switch change.kind {
                    case .opened:
                        try await db.raw(
                            """
                            INSERT INTO alerts (id, system_id, rule, category, status, value, threshold, fired_at, resolved_at)
                            VALUES (\(bind: alert.id), \(bind: alert.systemID), \(bind: alert.rule), \(bind: alert.category.rawValue),
                                    \(bind: alert.status.rawValue), \(bind: alert.value), \(bind: alert.threshold), \(bind: alert.firedAt), \(bind: alert.resolvedAt))
                            """
                        ).run()
                    case .updated, .resolved:
                        // Only while it is still firing: another evaluation may have resolved it meanwhile.
                        let updated = try await db.raw(
                            """
                            UPDATE alerts SET status = \(bind: alert.status.rawValue), value = \(bind: alert.value), resolved_at = \(bind: alert.resolvedAt)
                            WHERE id = \(bind: alert.id) AND status = 'firing' RETURNING id
                            """
                        ).all()
                        if updated.isEmpty { continue }
                    }
                    if let audit = change.audit {
                        try await SQLAuditLog.append(audit, now: alert.resolvedAt ?? alert.firedAt, engine: engine, on: db)
                    }
                    for message in change.messages { try await SQLWebhookOutbox.enqueue(message, claimedUntil: claimUntil, on: db) }
                    applied.append(change)
                }
                return applied
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw StewardError(
                .resourceConflict, "Another evaluation of this system's alerts opened the same alert just now; nothing was written. Evaluate again.")
        }
    }
}
