import Crypto
import Foundation

/// SHA-256 in lowercase hex, the one digest Steward stores and chains.
public enum SHA256Digest {
    public static func hex(of data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Written into one string's storage: a string per byte, joined, took 0.9% of an authenticated log-batch's CPU
    /// time (perf, `bench/stores.py`), since every request's token is digested.
    static func hex(_ digest: SHA256.Digest) -> String {
        String(unsafeUninitializedCapacity: SHA256.byteCount * 2) { buffer in
            let digits = Array("0123456789abcdef".utf8)
            var index = 0
            for byte in digest {
                buffer[index] = digits[Int(byte >> 4)]
                buffer[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
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
