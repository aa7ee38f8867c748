/// Persistence for users and their hashed API tokens.
public protocol IdentityRepository: Sendable {
    /// Creates a user with a first token (stored by digest), recording `audit` in the same transaction.
    func createUser(_ user: User, tokenDigest: String, audit: AuditEntry) async throws
    /// Adds a token to an existing user, recording `audit` in the same transaction.
    func addToken(user: String, tokenDigest: String, label: String, now: Int64, audit: AuditEntry) async throws
    /// The user a token digest belongs to, if any.
    func user(tokenDigest: String) async throws -> User?
    func user(name: String) async throws -> User?
    func users() async throws -> [User]
}
