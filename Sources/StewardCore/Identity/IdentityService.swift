/// Users, roles and API tokens: creation (admins only, except the very first admin from the command line)
/// and authentication of presented tokens.
public struct IdentityService: Sendable {
    let repository: any IdentityRepository
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(repository: any IdentityRepository, audit: any AuditRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.audit = audit
        self.now = now
    }

    /// Requires an admin, auditing a refusal.
    func requireAdmin(_ actor: Principal, to verb: String, _ entry: AuditEntry) async throws {
        try await audit.require(actor, [.admin], to: verb, entry, now: now())
    }

    /// The principal a token stands for, or nil when no user holds it.
    public func authenticate(token: String) async throws -> Principal? {
        guard token.hasPrefix(AccessToken.prefix) else { return nil }
        return try await repository.user(tokenDigest: AccessToken.digest(token)).map { Principal.user($0.name, role: $0.role) }
    }

    /// Creates a user and returns its first token, shown only now. `actor` must be an authenticated admin;
    /// the command line passes `bootstrap` for the first admin, since it has the data folder itself.
    public func createUser(name: String, role: Role, actor: Principal) async throws -> (User, token: String) {
        try await requireAdmin(
            actor, to: "create users", AuditEntry(actor: actor, action: "user.create", target: "user:\(name)", details: ["role": role.rawValue]))
        try Self.validateUserName(name)
        if try await repository.user(name: name) != nil { throw StewardError.alreadyExists("User '\(name)' already exists.") }
        let token = AccessToken.generate()
        let user = User(name: name, role: role, createdAt: now(), createdBy: actor.name)
        try await repository.createUser(
            user, tokenDigest: AccessToken.digest(token),
            audit: AuditEntry(actor: actor, action: "user.create", target: "user:\(name)", details: ["role": role.rawValue]))
        return (user, token)
    }

    /// Issues another token for a user: admins for anyone, a user for themself.
    public func createToken(user name: String, label: String, actor: Principal) async throws -> String {
        if actor.name != name || !actor.isAuthenticated {
            try await requireAdmin(
                actor, to: "create tokens for other users", AuditEntry(actor: actor, action: "token.create", target: "user:\(name)"))
        }
        guard try await repository.user(name: name) != nil else { throw StewardError.notFound("User '\(name)' does not exist.") }
        let token = AccessToken.generate()
        try await repository.addToken(
            user: name, tokenDigest: AccessToken.digest(token), label: label, now: now(),
            audit: AuditEntry(actor: actor, action: "token.create", target: "user:\(name)", details: ["label": label]))
        return token
    }

    public func users(actor: Principal) async throws -> [User] {
        try actor.require([.admin], to: "list users")
        return try await repository.users()
    }

    /// The identity the command line acts with: whoever holds the data folder administers it.
    public static let bootstrap = Principal.user("steward-cli", role: .admin)

    static func validateUserName(_ name: String) throws(StewardError) {
        guard !name.isEmpty, name.count <= 64,
            name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "._-@".unicodeScalars.contains($0) })
        else {
            throw .invalidParameter("Invalid user name '\(name)': 1 to 64 letters, digits, '.', '_', '-' or '@'.")
        }
        guard name != Principal.anonymousName else { throw .invalidParameter("The user name '\(name)' is reserved.") }
    }
}
