import Crypto
import Foundation

/// A browser's sign-in to the web UI: made from an API token, held as an HttpOnly cookie, stored only as the
/// SHA-256 digest of its secret, and ended by signing out, by its expiry, or with the token it came from (a
/// revoked token ends every session it opened).
public struct SignInSession: Sendable, Equatable {
    /// The cookie's value, shown to the browser once.
    public let secret: String
    public let principal: Principal
    public let expiresAt: Int64

    public init(secret: String, principal: Principal, expiresAt: Int64) {
        self.secret = secret
        self.principal = principal
        self.expiresAt = expiresAt
    }

    public static let prefix = "sts_"
    /// Twelve hours: a working day, after which the browser signs in again.
    public static let lifetime: Int64 = 12 * 3_600_000

    /// A fresh secret: 32 random bytes, base64url.
    static func generateSecret() -> String {
        prefix + String(AccessToken.generate().dropFirst(AccessToken.prefix.count))
    }

    /// The stored form of a secret.
    public static func digest(_ secret: String) -> String {
        SHA256Digest.hex(of: Data(secret.utf8))
    }

    /// The token every form of a session carries against cross-site request forgery: derived from the secret,
    /// which only the browser holding the cookie knows, so another site can neither read nor forge it, and no
    /// server keeps it.
    public static func formToken(for secret: String) -> String {
        String(SHA256Digest.hex(of: Data("steward-form:\(secret)".utf8)).prefix(40))
    }

    public var formToken: String { Self.formToken(for: secret) }
}
