import Foundation
import SQLKit
import StewardCore

/// The webhook outbox and the delivery log in SQL.
public struct SQLWebhookOutbox: WebhookOutboxRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    /// Puts a notification in the outbox, claimed by its writer until `claimedUntil`, inside the writer's transaction.
    static func enqueue(_ message: WebhookMessage, claimedUntil: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO webhook_outbox (id, system_id, url, event, body, created_at, attempts, next_attempt_at, claim, claimed_until)
            VALUES (\(bind: message.id), \(bind: message.systemID), \(bind: message.url), \(bind: message.event), \(bind: message.body),
                    \(bind: message.createdAt), \(bind: Int64(message.attempts)), \(bind: message.nextAttemptAt), \(bind: message.claim),
                    \(bind: claimedUntil))
            """
        ).run()
    }

    public func claimWebhookMessages(now: Int64, until: Int64, limit: Int) async throws -> [WebhookMessage] {
        let engine = database.engine
        return try await database.write { db in
            // Another replica's sender skips the rows this one is claiming rather than waiting for them.
            let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let rows = try await db.raw(
                """
                SELECT id, system_id, url, event, body, created_at, attempts, next_attempt_at FROM webhook_outbox
                WHERE next_attempt_at <= \(bind: now) AND (claimed_until IS NULL OR claimed_until <= \(bind: now))
                ORDER BY next_attempt_at, id LIMIT \(literal: limit)\(lock)
                """
            ).all()
            var messages: [WebhookMessage] = []
            for row in rows {
                let message = WebhookMessage(
                    id: try row.string("id"), systemID: try row.string("system_id"), url: try row.string("url"), event: try row.string("event"),
                    body: try row.string("body"), createdAt: try row.int64("created_at"), attempts: Int(try row.int64("attempts")),
                    nextAttemptAt: try row.int64("next_attempt_at"), claim: UUID().uuidString)
                try await db.raw(
                    "UPDATE webhook_outbox SET claim = \(bind: message.claim), claimed_until = \(bind: until) WHERE id = \(bind: message.id)"
                ).run()
                messages.append(message)
            }
            return messages
        }
    }

    public func recordWebhookAttempt(_ delivery: WebhookDelivery, claim: String) async throws -> Bool {
        try await database.write { db in
            if let next = delivery.nextAttemptAt {
                let updated = try await db.raw(
                    """
                    UPDATE webhook_outbox SET attempts = \(bind: Int64(delivery.attempts)), next_attempt_at = \(bind: next),
                        last_status = \(bind: delivery.status.map(Int64.init)), last_error = \(bind: delivery.error),
                        last_attempt_at = \(bind: delivery.deliveredAt), claim = NULL, claimed_until = NULL
                    WHERE id = \(bind: delivery.id) AND claim = \(bind: claim) RETURNING id
                    """
                ).all()
                return !updated.isEmpty
            }
            // Only the sender that still holds the claim removes the message and logs it, so it is logged once.
            let removed = try await db.raw("DELETE FROM webhook_outbox WHERE id = \(bind: delivery.id) AND claim = \(bind: claim) RETURNING id").all()
            guard !removed.isEmpty else { return false }
            try await db.raw(
                """
                INSERT INTO webhook_deliveries (id, system_id, url, event, attempts, status, error, delivered_at)
                VALUES (\(bind: delivery.id), \(bind: delivery.systemID), \(bind: delivery.url), \(bind: delivery.event),
                        \(bind: Int64(delivery.attempts)), \(bind: delivery.status.map(Int64.init)), \(bind: delivery.error),
                        \(bind: delivery.deliveredAt))
                """
            ).run()
            return true
        }
    }

    public func deliveries(systemID: String) async throws -> [WebhookDelivery] {
        try await database.read { db in
            try await SQLSystemRepository.requireSystem(systemID, on: db)
            let logged = try await db.raw(
                """
                SELECT id, system_id, url, event, attempts, status, error, delivered_at FROM webhook_deliveries
                WHERE system_id = \(bind: systemID) ORDER BY delivered_at, url
                """
            ).all().map { row in
                WebhookDelivery(
                    id: try row.optionalString("id") ?? "", systemID: try row.string("system_id"), url: try row.string("url"),
                    event: try row.string("event"), attempts: Int(try row.int64("attempts")), status: try row.optionalInt64("status").map(Int.init),
                    error: try row.optionalString("error"), deliveredAt: try row.int64("delivered_at"))
            }
            let pending = try await db.raw(
                """
                SELECT id, system_id, url, event, attempts, last_status, last_error, last_attempt_at, created_at, next_attempt_at
                FROM webhook_outbox WHERE system_id = \(bind: systemID) ORDER BY created_at, id
                """
            ).all().map { row in
                WebhookDelivery(
                    id: try row.string("id"), systemID: try row.string("system_id"), url: try row.string("url"), event: try row.string("event"),
                    attempts: Int(try row.int64("attempts")), status: try row.optionalInt64("last_status").map(Int.init),
                    error: try row.optionalString("last_error"), deliveredAt: try row.optionalInt64("last_attempt_at") ?? row.int64("created_at"),
                    nextAttemptAt: try row.int64("next_attempt_at"))
            }
            return logged + pending
        }
    }
}
