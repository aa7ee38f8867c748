import Foundation

/// Users, roles and API tokens: creation (admins only, except the very first admin from the command line)
/// and authentication of presented tokens.
public struct IdentityService: Sendable {
    let repository: any IdentityRepository
    let audit: any AuditRepository
    let now: @Sendable () -> Int64
    let tokenCache = TokenCache()

    public init(repository: any IdentityRepository, audit: any AuditRepository, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.audit = audit
        self.now = now
    }

    /// Requires an admin, auditing a refusal.
    func requireAdmin(_ actor: Principal, to verb: String, _ entry: AuditEntry) async throws {
        try await audit.require(actor, [.admin], to: verb, entry, now: now())
    }

    /// The principal a token stands for, or nil when no user holds it (or it has expired or been revoked).
    ///
    /// The holder is kept in memory under the credentials stamp it was read under, and the stamp is read first on
    /// every call (from memory on SQLite, one read shared by concurrent requests on PostgreSQL): a token revoked,
    /// or a role changed, on any replica applies from the next request on, on every replica.
    public func authenticate(token: String) async throws -> Principal? {
        guard token.hasPrefix(AccessToken.prefix) else { return nil }
        let digest = AccessToken.digest(token)
        let stamp = try await repository.credentialsStamp()
        var holder = tokenCache.holder(digest: digest, stamp: stamp)
        if holder == nil {
            holder = try await repository.holder(tokenDigest: digest)
            if let holder {
                tokenCache.store(holder, digest: digest, stamp: stamp)
            } else {
                tokenCache.forgetAllBut(stamp: stamp)
            }
        }
        guard let holder, holder.isValid(at: now()) else { return nil }
        return .user(holder.user.name, role: holder.user.role)
    }

    /// The principal a token stands for by what this replica remembers of it, with the credentials its request's
    /// transactions confirm (`PendingCredentials`), or nil when nothing is remembered for it or the store reads
    /// its credentials stamp from memory anyway (SQLite), where `authenticate` costs no round trip.
    public func provisionalAuthentication(token: String) -> (principal: Principal, credentials: PendingCredentials)? {
        guard repository.credentialsStampIsRemote, token.hasPrefix(AccessToken.prefix),
            let (holder, stamp) = tokenCache.remembered(digest: AccessToken.digest(token)), holder.isValid(at: now())
        else { return nil }
        let principal = Principal.user(holder.user.name, role: holder.user.role)
        return (principal, PendingCredentials(stamp: stamp) { try await authenticate(token: token) == principal })
    }

    /// Creates a user and returns its first token, shown only now. `actor` must be an authenticated admin;
    /// the command line passes `bootstrap` for the first admin, since it has the data folder itself.
    public func createUser(name: String, role: Role, actor: Principal) async throws -> (User, token: String) {
        try await requireAdmin(
            actor, to: "create users", AuditEntry(actor: actor, action: "user.create", target: "user:\(name)", details: ["role": role.rawValue]))
        try Self.validateUserName(name)
        if try await repository.user(name: name) != nil { throw StewardError.alreadyExists("User '\(name)' already exists.") }
        let token = AccessToken.generate()
        let digest = AccessToken.digest(token)
        let user = User(name: name, role: role, createdAt: now(), createdBy: actor.name)
        try await repository.createUser(
            user, token: AccessTokenRecord(digest: digest, user: name, label: "first token", createdAt: user.createdAt, expiresAt: nil),
            digest: digest, audit: AuditEntry(actor: actor, action: "user.create", target: "user:\(name)", details: ["role": role.rawValue]))
        return (user, token)
    }

    /// Makes the first admin of a store that has no user yet, so that a fresh server can be used with tokens
    /// from the start (a version registered without a user can never be approved). Nil when any user exists,
    /// also when another server sharing the store made it first.
    /// Whether the store has any user yet.
    public func hasUsers() async throws -> Bool {
        try await !repository.users().isEmpty
    }

    public func createFirstAdmin(name: String) async throws -> (User, token: String)? {
        guard try await repository.users().isEmpty else { return nil }
        do {
            return try await createUser(name: name, role: .admin, actor: Self.firstStart)
        } catch let error as StewardError where error.code == .resourceAlreadyExists {
            return nil
        }
    }

    /// Issues another token for a user: admins for anyone, a user for themself. It stops working after
    /// `expiresInDays` (1 to 3650) when given, else when revoked. Returns the token, shown only now.
    public func createToken(user name: String, label: String, expiresInDays: Int? = nil, actor: Principal) async throws -> (
        token: String, record: AccessTokenRecord
    ) {
        // The input is checked first, so that an audited refusal only ever records bounded values.
        guard label.count <= Self.maximumLabelLength else {
            throw StewardError.invalidParameter("A token label has at most \(Self.maximumLabelLength) characters.")
        }
        if let expiresInDays, !(1...3650).contains(expiresInDays) {
            throw StewardError.invalidParameter("expires_in_days must be between 1 and 3650; omit it for a token that lasts until revoked.")
        }
        let entry = AuditEntry(actor: actor, action: "token.create", target: "user:\(name)", details: ["label": label])
        try await requireSelfOrAdmin(name, actor, to: "create tokens for other users", entry)
        guard try await repository.user(name: name) != nil else { throw StewardError.notFound("User '\(name)' does not exist.") }
        let token = AccessToken.generate()
        let digest = AccessToken.digest(token)
        let created = now()
        let record = AccessTokenRecord(
            digest: digest, user: name, label: label, createdAt: created, expiresAt: expiresInDays.map { created + Int64($0) * 86_400_000 })
        var audit = entry
        audit.details["token"] = record.id
        if let expiresAt = record.expiresAt { audit.details["expires_at"] = "\(expiresAt)" }
        try await repository.addToken(record, digest: digest, audit: audit)
        return (token, record)
    }

    /// A user's tokens (ids, labels, dates; never the tokens): the user themself or an admin.
    public func tokens(user name: String, actor: Principal) async throws -> [AccessTokenRecord] {
        guard actor.isAuthenticated, Self.sameName(actor.name, name) || actor.role == .admin else {
            throw StewardError(.permissionDenied, "Only '\(name)' and admins may list the tokens of '\(name)'.")
        }
        guard try await repository.user(name: name) != nil else { throw StewardError.notFound("User '\(name)' does not exist.") }
        return try await repository.tokens(user: name)
    }

    /// Revokes one of a user's tokens at once: the user themself (whatever their role, so a leaked token can
    /// always be killed by its owner) or an admin. Audited.
    public func revokeToken(user name: String, id: String, actor: Principal) async throws {
        guard AccessToken.isValidID(id) else {
            throw StewardError.invalidParameter("That is not a token id: ids are 16 lowercase hex digits, as the token list shows them.")
        }
        let entry = AuditEntry(actor: actor, action: "token.revoke", target: "user:\(name)", details: ["token": id])
        try await requireSelfOrAdmin(name, actor, to: "revoke tokens of other users", entry)
        guard try await repository.user(name: name) != nil else { throw StewardError.notFound("User '\(name)' does not exist.") }
        guard try await repository.revokeToken(user: name, id: id, now: now(), audit: entry) else {
            throw StewardError.notFound("User '\(name)' holds no token '\(id)'.")
        }
    }

    /// Gives a user another role (admins only; audited). The last admin cannot be demoted (refused and audited).
    public func setRole(user name: String, role: Role, actor: Principal) async throws -> User {
        let entry = AuditEntry(actor: actor, action: "user.role", target: "user:\(name)", details: ["role": role.rawValue])
        try await requireAdmin(actor, to: "change roles", entry)
        guard let user = try await repository.user(name: name) else { throw StewardError.notFound("User '\(name)' does not exist.") }
        var audit = entry
        audit.details["previous_role"] = user.role.rawValue
        try await auditingLastAdmin(name, audit) { try await repository.setRole(user: name, role: role, now: now(), audit: audit) }
        return User(name: user.name, role: role, createdAt: user.createdAt, createdBy: user.createdBy)
    }

    /// Deletes a user and every token it holds (admins only; audited). What the user did stays attributed to
    /// the name. The last admin cannot be deleted (refused and audited).
    public func deleteUser(name: String, actor: Principal) async throws {
        let entry = AuditEntry(actor: actor, action: "user.delete", target: "user:\(name)")
        try await requireAdmin(actor, to: "delete users", entry)
        try await auditingLastAdmin(name, entry) { try await repository.deleteUser(name: name, now: now(), audit: entry) }
    }

    /// The refusal a store gives when a change would leave no admin; checked inside the write, so that two admins
    /// demoting each other at once cannot both pass.
    public static func lastAdmin(_ user: String) -> StewardError {
        StewardError(.invalidParameterValue, "'\(user)' is the last admin; make another user admin first.")
    }

    /// Runs a write that the store refuses when it would remove the last admin, and audits that refusal.
    func auditingLastAdmin(_ user: String, _ entry: AuditEntry, _ write: () async throws -> Void) async throws {
        do { try await write() } catch let error as StewardError where error == Self.lastAdmin(user) {
            try await audit.refuse(entry, error, now: now())
        }
    }

    /// Refuses a change asked by a read-only role, auditing what was asked: the authentication layer turns
    /// viewers away before any service sees their request, and the refusal belongs in the log all the same.
    /// `request` is the method and path (bounded), `systemID` the system the path names, if any.
    public func refuseChange(by actor: Principal, request: String, systemID: String?) async throws -> Never {
        let role = actor.role?.rawValue ?? "none"
        try await audit.refuse(
            AuditEntry(
                actor: actor, action: "access.denied", target: "route:\(request.prefix(300))", systemID: systemID.map { String($0.prefix(200)) },
                details: ["role": role]),
            StewardError(.permissionDenied, "User '\(actor.name)' (\(role)) may only read; this request changes data."), now: now())
    }

    /// Passes the user themself (authenticated) and admins; anyone else is refused and the refusal audited.
    func requireSelfOrAdmin(_ name: String, _ actor: Principal, to verb: String, _ entry: AuditEntry) async throws {
        if !Self.sameName(actor.name, name) || !actor.isAuthenticated { try await requireAdmin(actor, to: verb, entry) }
    }

    /// Whether two user names are the same name: byte for byte, as the store compares them (Swift's `==` would
    /// also equate canonically equivalent spellings, such as a Kelvin sign and a K).
    public static func sameName(_ first: String, _ second: String) -> Bool {
        first.utf8.elementsEqual(second.utf8)
    }

    static let maximumLabelLength = 200

    public func users(actor: Principal) async throws -> [User] {
        try actor.require([.admin], to: "list users")
        return try await repository.users()
    }

    /// The identity the command line acts with: whoever holds the data folder administers it.
    public static let bootstrap = Principal.user("steward-cli", role: .admin)

    /// The identity `steward serve` makes the first admin with, on a store without users.
    static let firstStart = Principal.user("steward-serve", role: .admin)

    static func validateUserName(_ name: String) throws(StewardError) {
        guard !name.isEmpty, name.count <= 64,
            name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "._-@".unicodeScalars.contains($0) })
        else {
            throw .invalidParameter("Invalid user name '\(name)': 1 to 64 letters, digits, '.', '_', '-' or '@'.")
        }
        guard name.precomposedStringWithCanonicalMapping.utf8.elementsEqual(name.utf8) else {
            throw .invalidParameter("Invalid user name '\(name)': write it in Unicode's composed form (NFC).")
        }
        guard name != Principal.anonymousName else { throw .invalidParameter("The user name '\(name)' is reserved.") }
    }
}
