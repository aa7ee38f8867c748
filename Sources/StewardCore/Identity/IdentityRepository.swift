/// Persistence for users and their hashed API tokens.
public protocol IdentityRepository: Sendable {
    /// Creates a user with a first token (stored by digest), recording `audit` in the same transaction.
    func createUser(_ user: User, token: AccessTokenRecord, digest: String, audit: AuditEntry) async throws
    /// Adds a token to an existing user, recording `audit` in the same transaction.
    func addToken(_ token: AccessTokenRecord, digest: String, audit: AuditEntry) async throws
    /// The user a token digest belongs to and when the token expires (nil: never), if any user holds it.
    func holder(tokenDigest: String) async throws -> TokenHolder?
    /// A value that moves with every change of any user or token, by any replica, read after this call began:
    /// what was read under one value may be kept while it stays the same.
    func credentialsStamp() async throws -> Int64
    /// Whether reading the credentials stamp asks the database server (PostgreSQL), rather than memory.
    var credentialsStampIsRemote: Bool { get }
    func user(name: String) async throws -> User?
    func users() async throws -> [User]
    /// A user's tokens, oldest first.
    func tokens(user: String) async throws -> [AccessTokenRecord]
    /// Deletes one of a user's tokens, recording `audit` in the same transaction; false when the user holds no
    /// token with that id (nothing is written then).
    func revokeToken(user: String, id: String, now: Int64, audit: AuditEntry) async throws -> Bool
    /// Changes a user's role, recording `audit` in the same transaction. Refuses (`invalidParameter`) to leave
    /// no admin, checked in the same transaction; `notFound` for an unknown user.
    func setRole(user: String, role: Role, now: Int64, audit: AuditEntry) async throws
    /// Deletes a user and every token it holds, recording `audit` in the same transaction; the same refusals as
    /// `setRole`.
    func deleteUser(name: String, now: Int64, audit: AuditEntry) async throws
    /// Stores a sign-in session of the web UI by the digest of its secret, opened with the token of digest
    /// `tokenDigest` (revoking the token ends it), recording `audit` in the same transaction.
    func createSession(digest: String, tokenDigest: String, user: String, createdAt: Int64, expiresAt: Int64, audit: AuditEntry) async throws
    /// The user of a session that has not expired by `now` and whose token still exists, with the session's expiry.
    func user(sessionDigest: String, at now: Int64) async throws -> (User, expiresAt: Int64)?
    /// Deletes a session (and the expired ones), recording `audit` in the same transaction when there was one.
    func deleteSession(digest: String, now: Int64, audit: AuditEntry) async throws
}
