/// An issued API token as its owner and admins see it: what identifies it and when it stops working, never the
/// token itself.
public struct AccessTokenRecord: Sendable, Equatable, Codable {
    /// The first 16 hex digits of the token's digest: enough to name it, useless to replay it.
    public let id: String
    public let user: String
    public let label: String
    public let createdAt: Int64
    /// When the token stops authenticating (milliseconds since the epoch); nil for never.
    public let expiresAt: Int64?

    public init(id: String, user: String, label: String, createdAt: Int64, expiresAt: Int64?) {
        self.id = id
        self.user = user
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// The record of a token with this digest.
    public init(digest: String, user: String, label: String, createdAt: Int64, expiresAt: Int64?) {
        self.init(id: AccessToken.id(ofDigest: digest), user: user, label: label, createdAt: createdAt, expiresAt: expiresAt)
    }
}
