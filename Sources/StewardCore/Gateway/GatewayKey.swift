import Foundation

/// A key for the LLM gateway, owned by one AI system: the calls made with it are that system's, limited to the
/// models its register entry lists. Shown once as `sgw_<base64url>` (sent as OpenAI's API key) and stored only as
/// its SHA-256 digest; listed and revoked by `id`, the digest's first 16 hex digits, like API tokens.
public struct GatewayKey: Sendable, Equatable {
    public static let prefix = "sgw_"

    public let id: String
    public let systemID: String
    public let label: String
    public let createdBy: String
    public let createdAt: Int64

    public init(id: String, systemID: String, label: String, createdBy: String, createdAt: Int64) {
        self.id = id
        self.systemID = systemID
        self.label = label
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// A fresh key in its display form: 32 random bytes.
    public static func generate() -> String {
        prefix + AccessToken.generate().dropFirst(AccessToken.prefix.count)
    }
}
