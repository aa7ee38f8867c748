import Crypto
import Foundation

/// SHA-256 in lowercase hex, the one digest Steward stores and chains.
public enum SHA256Digest {
    public static func hex(of data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// A digest computed over data that arrives in pieces, such as an uploaded file.
    public struct Incremental: Sendable {
        private var hasher = SHA256()

        public init() {}

        public mutating func update(_ bytes: some DataProtocol) { hasher.update(data: bytes) }

        public func finalize() -> String {
            SHA256Digest.hex(hasher.finalize())
        }
    }

    /// Whether `text` is a SHA-256 digest in hex, optionally prefixed `sha256:`.
    public static func isValid(_ text: String) -> Bool {
        let hex = text.hasPrefix("sha256:") ? text.dropFirst(7) : Substring(text)
        return hex.count == 64 && hex.allSatisfy(\.isHexDigit)
    }
}
