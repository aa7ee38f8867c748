/// Whom an API token stands for, and until when.
public struct TokenHolder: Sendable, Equatable {
    public var user: User
    /// Epoch milliseconds after which the token no longer works; nil when it works until revoked.
    public var expiresAt: Int64?

    public init(user: User, expiresAt: Int64?) {
        self.user = user
        self.expiresAt = expiresAt
    }

    /// Whether the token still works at `now`.
    func isValid(at now: Int64) -> Bool {
        expiresAt.map { $0 > now } ?? true
    }
}
