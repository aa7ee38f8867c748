import Crypto
import Foundation

/// API tokens: 32 random bytes shown once as `stw_<base64url>`, stored only as their SHA-256 digest, so a
/// leaked database cannot be replayed against the server.
public enum AccessToken {
    public static let prefix = "stw_"

    /// A fresh token in its display form.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + encoded
    }

    /// The stored form of a token: its SHA-256 digest in lowercase hex.
    public static func digest(_ token: String) -> String {
        SHA256Digest.hex(of: Data(token.utf8))
    }

    /// How a token is named when listed or revoked: the first 16 hex digits of its digest.
    public static func id(ofDigest digest: String) -> String {
        String(digest.prefix(16))
    }

    /// Whether `text` has the shape of a token id.
    public static func isValidID(_ text: String) -> Bool {
        text.count == 16 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
