import SQLKit
import StewardCore

/// Users and token digests in SQL.
public struct SQLIdentityRepository: IdentityRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func createUser(_ user: User, tokenDigest: String, audit: AuditEntry) async throws {
        let engine = database.engine
        do {
            try await database.write { db in
                try await db.raw(
                    """
                    INSERT INTO users (name, role, created_at, created_by)
                    VALUES (\(bind: user.name), \(bind: user.role.rawValue), \(bind: user.createdAt), \(bind: user.createdBy))
                    """
                ).run()
                try await Self.insertToken(tokenDigest, user: user.name, label: "first token", now: user.createdAt, on: db)
                try await SQLAuditLog.append(audit, now: user.createdAt, engine: engine, on: db)
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw StewardError.alreadyExists("User '\(user.name)' already exists.")
        }
    }

    public func addToken(user: String, tokenDigest: String, label: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.insertToken(tokenDigest, user: user, label: label, now: now, on: db)
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    static func insertToken(_ digest: String, user: String, label: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO api_tokens (token_digest, user_name, label, created_at)
            VALUES (\(bind: digest), \(bind: user), \(bind: label), \(bind: now))
            """
        ).run()
    }

    public func user(tokenDigest: String) async throws -> User? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT u.name, u.role, u.created_at, u.created_by FROM api_tokens t JOIN users u ON u.name = t.user_name
                WHERE t.token_digest = \(bind: tokenDigest)
                """
            ).first().map(Self.user)
        }
    }

    public func user(name: String) async throws -> User? {
        try await database.read { db in
            try await db.raw("SELECT name, role, created_at, created_by FROM users WHERE name = \(bind: name)").first().map(Self.user)
        }
    }

    public func users() async throws -> [User] {
        try await database.read { db in
            try await db.raw("SELECT name, role, created_at, created_by FROM users ORDER BY name").all().map(Self.user)
        }
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            name: try row.string("name"), role: Role(rawValue: try row.string("role")) ?? .viewer, createdAt: try row.int64("created_at"),
            createdBy: try row.string("created_by"))
    }
}
