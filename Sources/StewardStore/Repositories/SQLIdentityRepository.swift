import SQLKit
import StewardCore

/// Users and token digests in SQL.
public struct SQLIdentityRepository: IdentityRepository {
    let database: any StoreDatabase

    public init(database: any StoreDatabase) {
        self.database = database
    }

    public func createUser(_ user: User, token: AccessTokenRecord, digest: String, audit: AuditEntry) async throws {
        let engine = database.engine
        do {
            try await database.write { db in
                try await db.raw(
                    """
                    INSERT INTO users (name, role, created_at, created_by)
                    VALUES (\(bind: user.name), \(bind: user.role.rawValue), \(bind: user.createdAt), \(bind: user.createdBy))
                    """
                ).run()
                try await Self.insertToken(token, digest: digest, on: db)
                try await SQLAuditLog.append(audit, now: user.createdAt, engine: engine, on: db)
            }
        } catch  where DatabaseConstraint.isUniqueViolation(error) {
            throw StewardError.alreadyExists("User '\(user.name)' already exists.")
        }
    }

    public func addToken(_ token: AccessTokenRecord, digest: String, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            guard try await db.raw("SELECT name FROM users WHERE name = \(bind: token.user)").first() != nil else {
                throw StewardError.notFound("User '\(token.user)' does not exist.")
            }
            try await Self.insertToken(token, digest: digest, on: db)
            try await SQLAuditLog.append(audit, now: token.createdAt, engine: engine, on: db)
        }
    }

    static func insertToken(_ token: AccessTokenRecord, digest: String, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO api_tokens (token_digest, id, user_name, label, created_at, expires_at)
            VALUES (\(bind: digest), \(bind: token.id), \(bind: token.user), \(bind: token.label), \(bind: token.createdAt), \(bind: token.expiresAt))
            """
        ).run()
    }

    public func holder(tokenDigest: String) async throws -> TokenHolder? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT u.name, u.role, u.created_at, u.created_by, t.expires_at FROM api_tokens t JOIN users u ON u.name = t.user_name
                WHERE t.token_digest = \(bind: tokenDigest)
                """
            ).first().map { row in TokenHolder(user: try Self.user(row), expiresAt: try row.optionalInt64("expires_at")) }
        }
    }

    public func credentialsStamp() async throws -> Int64 {
        try await database.currentChangeStamp(.credentials)
    }

    public var credentialsStampIsRemote: Bool { database.engine == .postgres }

    public func tokens(user: String) async throws -> [AccessTokenRecord] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT COALESCE(id, substr(token_digest, 1, 16)) AS id, user_name, label, created_at, expires_at FROM api_tokens
                WHERE user_name = \(bind: user) ORDER BY created_at, id
                """
            ).all().map { row in
                AccessTokenRecord(
                    id: try row.string("id"), user: try row.string("user_name"), label: try row.string("label"),
                    createdAt: try row.int64("created_at"), expiresAt: try row.optionalInt64("expires_at"))
            }
        }
    }

    public func revokeToken(user: String, id: String, now: Int64, audit: AuditEntry) async throws -> Bool {
        let engine = database.engine
        return try await database.write { db in
            // A row written without an id (by a replica older than the ids) is named by its digest all the same.
            let deleted = try await db.raw(
                """
                DELETE FROM api_tokens WHERE user_name = \(bind: user) AND (id = \(bind: id) OR (id IS NULL AND substr(token_digest, 1, 16) = \(bind: id)))
                RETURNING token_digest
                """
            ).all()
            guard !deleted.isEmpty else { return false }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
            return true
        }
    }

    public func setRole(user: String, role: Role, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            if role != .admin { try await Self.requireAnotherAdmin(than: user, engine: engine, on: db) }
            let updated = try await db.raw("UPDATE users SET role = \(bind: role.rawValue) WHERE name = \(bind: user) RETURNING name").all()
            guard !updated.isEmpty else { throw StewardError.notFound("User '\(user)' does not exist.") }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    public func deleteUser(name: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            try await Self.requireAnotherAdmin(than: name, engine: engine, on: db)
            // The user's tokens go with it (ON DELETE CASCADE; SQLite runs with foreign keys on).
            let deleted = try await db.raw("DELETE FROM users WHERE name = \(bind: name) RETURNING name").all()
            guard !deleted.isEmpty else { throw StewardError.notFound("User '\(name)' does not exist.") }
            try await SQLAuditLog.append(audit, now: now, engine: engine, on: db)
        }
    }

    /// Refuses to let `user` stop being an admin (demoted or deleted) when no other admin remains. On
    /// PostgreSQL the admins' rows are locked, so two admins demoting each other at once cannot both pass;
    /// SQLite has one writer.
    static func requireAnotherAdmin(than user: String, engine: SQLEngine, on db: any SQLDatabase) async throws {
        let lock: SQLQueryString = engine == .postgres ? " FOR UPDATE" : ""
        let admins = try await db.raw("SELECT name FROM users WHERE role = 'admin'\(lock)").all().map { try $0.string("name") }
        if admins.contains(user) && admins.count == 1 {
            throw IdentityService.lastAdmin(user)
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

    public func createSession(
        digest: String, tokenDigest: String, user: String, createdAt: Int64, expiresAt: Int64, audit: AuditEntry
    ) async throws {
        let engine = database.engine
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO sign_in_sessions (session_digest, token_digest, user_name, created_at, expires_at)
                VALUES (\(bind: digest), \(bind: tokenDigest), \(bind: user), \(bind: createdAt), \(bind: expiresAt))
                """
            ).run()
            try await SQLAuditLog.append(audit, now: createdAt, engine: engine, on: db)
        }
    }

    public func user(sessionDigest: String, at now: Int64) async throws -> (User, expiresAt: Int64)? {
        try await database.read { db in
            // The token's own expiry ends the session too.
            let row = try await db.raw(
                """
                SELECT u.name, u.role, u.created_at, u.created_by, s.expires_at AS session_expires_at
                FROM sign_in_sessions s JOIN api_tokens t ON t.token_digest = s.token_digest JOIN users u ON u.name = s.user_name
                WHERE s.session_digest = \(bind: sessionDigest) AND s.expires_at > \(bind: now)
                    AND (t.expires_at IS NULL OR t.expires_at > \(bind: now))
                """
            ).first()
            guard let row else { return nil }
            return (try Self.user(row), try row.int64("session_expires_at"))
        }
    }

    public func deleteSession(digest: String, now: Int64, audit: AuditEntry) async throws {
        let engine = database.engine
        try await database.write { db in
            let deleted = try await db.raw("DELETE FROM sign_in_sessions WHERE session_digest = \(bind: digest) RETURNING user_name").all()
            try await db.raw("DELETE FROM sign_in_sessions WHERE expires_at <= \(bind: now)").run()
            if !deleted.isEmpty { try await SQLAuditLog.append(audit, now: now, engine: engine, on: db) }
        }
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            name: try row.string("name"), role: Role(rawValue: try row.string("role")) ?? .viewer, createdAt: try row.int64("created_at"),
            createdBy: try row.string("created_by"))
    }
}
