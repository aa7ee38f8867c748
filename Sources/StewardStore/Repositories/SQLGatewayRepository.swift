import Foundation
import SQLKit
import StewardCore

/// The gateway's configuration versions and keys in SQL.
public struct SQLGatewayRepository: GatewayRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func currentConfiguration() async throws -> GatewayConfigurationVersion? {
        try await database.read { db in
            guard
                let row = try await db.raw("SELECT version, document, author, created_at FROM gateway_configurations ORDER BY version DESC LIMIT 1")
                    .first()
            else { return nil }
            return GatewayConfigurationVersion(
                version: try row.int64("version"), configuration: try GatewayConfiguration(yaml: try row.string("document")),
                author: try row.string("author"), createdAt: try row.int64("created_at"))
        }
    }

    public func storeConfiguration(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        let engine = database.engine
        return try await database.write { db in
            if engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7361014)").run() }
            let last = try await db.raw("SELECT MAX(version) AS version FROM gateway_configurations").first()?.optionalInt64("version") ?? 0
            let version = last + 1
            try await db.raw(
                """
                INSERT INTO gateway_configurations (version, document, author, created_at)
                VALUES (\(bind: version), \(bind: document), \(bind: author), \(bind: now))
                """
            ).run()
            var audit = audit
            audit.details["version"] = "\(version)"
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return version
        }
    }

    public func addKey(_ key: GatewayKey, digest: String, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            guard try await db.raw("SELECT id FROM ai_systems WHERE id = \(bind: key.systemID)").first() != nil else {
                throw StewardError.notFound("AI system '\(key.systemID)' does not exist.")
            }
            try await db.raw(
                """
                INSERT INTO gateway_keys (key_digest, id, system_id, label, created_by, created_at)
                VALUES (\(bind: digest), \(bind: key.id), \(bind: key.systemID), \(bind: key.label), \(bind: key.createdBy), \(bind: key.createdAt))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: key.createdAt, engine: engine, on: db)
        }
    }

    public func key(digest: String) async throws -> GatewayKey? {
        try await database.read { db in
            try await db.raw("SELECT id, system_id, label, created_by, created_at FROM gateway_keys WHERE key_digest = \(bind: digest)")
                .first().map(Self.key)
        }
    }

    public func keys(systemID: String) async throws -> [GatewayKey] {
        try await database.read { db in
            try await db.raw(
                "SELECT id, system_id, label, created_by, created_at FROM gateway_keys WHERE system_id = \(bind: systemID) ORDER BY created_at, id"
            ).all().map(Self.key)
        }
    }

    public func revokeKey(systemID: String, id: String, now: Int64, audit: AuditEntry) async throws -> Bool {
        let engine = database.engine
        return try await database.write { db in
            let deleted = try await db.raw("DELETE FROM gateway_keys WHERE system_id = \(bind: systemID) AND id = \(bind: id) RETURNING id").all()
            guard !deleted.isEmpty else { return false }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return true
        }
    }

    public func recordUnlistedModel(systemID: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO gateway_unlisted_calls (system_id, calls) VALUES (\(bind: systemID), 1)
                ON CONFLICT (system_id) DO UPDATE SET calls = gateway_unlisted_calls.calls + 1
                """
            ).run()
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func unlistedModelCalls(systemID: String) async throws -> Int64 {
        try await database.read { db in
            try await db.raw("SELECT calls FROM gateway_unlisted_calls WHERE system_id = \(bind: systemID)").first()?.int64("calls") ?? 0
        }
    }

    static func key(_ row: any SQLRow) throws -> GatewayKey {
        GatewayKey(
            id: try row.string("id"), systemID: try row.string("system_id"), label: try row.string("label"), createdBy: try row.string("created_by"),
            createdAt: try row.int64("created_at"))
    }
}
