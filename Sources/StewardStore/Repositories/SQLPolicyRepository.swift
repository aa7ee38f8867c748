import Foundation
import SQLKit
import StewardCore

/// Governance policy versions in SQL, every version kept.
public struct SQLPolicyRepository: PolicyRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func currentPolicy() async throws -> PolicyVersion? {
        try await database.read { db in
            guard
                let row = try await db.raw("SELECT version, document, author, created_at FROM governance_policies ORDER BY version DESC LIMIT 1")
                    .first()
            else { return nil }
            return PolicyVersion(
                version: try row.int64("version"), policy: try GovernancePolicy(yaml: try row.string("document")), author: try row.string("author"),
                createdAt: try row.int64("created_at"))
        }
    }

    public func storePolicy(document: String, author: String, now: Int64, audit: AuditEntry) async throws -> Int64 {
        let engine = database.engine
        return try await database.write { db in
            if engine == .postgres { try await db.raw("SELECT pg_advisory_xact_lock(7361013)").run() }
            let last = try await db.raw("SELECT MAX(version) AS version FROM governance_policies").first()?.optionalInt64("version") ?? 0
            let version = last + 1
            try await db.raw(
                """
                INSERT INTO governance_policies (version, document, author, created_at)
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
