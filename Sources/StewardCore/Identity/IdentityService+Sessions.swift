import Foundation

/// Sign-in sessions of the web UI.
extension IdentityService {
    /// Opens a session for the holder of `token`: 401 when no user holds it. Audited as the user's sign-in.
    public func signIn(token: String) async throws -> SignInSession {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(AccessToken.prefix), let principal = try await authenticate(token: trimmed) else {
            throw StewardError(.unauthenticated, "The token is not valid; it may have been mistyped, revoked or never issued.")
        }
        let time = now()
        let session = SignInSession(secret: SignInSession.generateSecret(), principal: principal, expiresAt: time + SignInSession.lifetime)
        try await repository.createSession(
            digest: SignInSession.digest(session.secret), tokenDigest: AccessToken.digest(trimmed), user: principal.name, createdAt: time,
            expiresAt: session.expiresAt, audit: AuditEntry(actor: principal, action: "user.sign_in", target: "user:\(principal.name)"))
        return session
    }

    /// The session a cookie's secret opens, or nil when it has ended (signed out, expired, or its token revoked).
    public func session(secret: String) async throws -> SignInSession? {
        guard secret.hasPrefix(SignInSession.prefix), secret.count < 128 else { return nil }
        guard let (user, expiresAt) = try await repository.user(sessionDigest: SignInSession.digest(secret), at: now()) else { return nil }
        return SignInSession(secret: secret, principal: .user(user.name, role: user.role), expiresAt: expiresAt)
    }

    /// Ends a session; ending one that has already ended does nothing.
    public func signOut(_ session: SignInSession) async throws {
        try await repository.deleteSession(
            digest: SignInSession.digest(session.secret), now: now(),
            audit: AuditEntry(actor: session.principal, action: "user.sign_out", target: "user:\(session.principal.name)"))
    }
}
