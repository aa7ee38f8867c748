import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// UUIDs as lowercase text, random (version 4) or time-ordered (version 7), drawn from the system's
/// cryptographic generator (`getentropy`: `getrandom` on Linux) 256 bytes at a time.
///
/// Foundation's `UUID()` opens, reads and closes `/dev/urandom` on Linux for each UUID (strace); the serving route
/// and the gateway name every request that comes without an id. Measured with `bench/router.py` (16 connections,
/// two alternated pairs of runs): the router served 13.7k–14.4k requests a second with these against 12.2k–12.3k
/// with Foundation's. Drawn word by word from `SystemRandomNumberGenerator`, each UUID then took two `getrandom`
/// system calls (`perf stat`: 53,500 in 2 s of serving 13k requests a second); sixteen of them now take one.
public enum RandomUUID {
    /// Random words fetched a buffer at a time (256 bytes, the most `getentropy` gives at once), each handed out once.
    private struct RandomWords: ~Copyable {
        private var words = [UInt64](repeating: 0, count: 32)
        private var next = 32

        mutating func take() -> UInt64 {
            if next == words.count {
                let status = words.withUnsafeMutableBytes { bytes in getentropy(bytes.baseAddress!, bytes.count) }
                // As `SystemRandomNumberGenerator` does, stop rather than hand out words that are not random.
                precondition(status == 0, "the system's random generator failed")
                next = 0
            }
            defer { next += 1 }
            return words[next]
        }
    }

    private static let randomWords = Mutex(RandomWords())

    /// Two random words for one UUID.
    private static func randomPair() -> (UInt64, UInt64) {
        randomWords.withLock { words in (words.take(), words.take()) }
    }

    /// `xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx` in lowercase hex, where V is one of 8, 9, a and b (RFC 9562).
    public static func string() -> String { text(hyphens: true) }

    /// The same 32 hex digits without hyphens, as MLflow writes its run and logged-model ids.
    public static func hex() -> String { text(hyphens: false) }

    /// A version-7 UUID (RFC 9562): the milliseconds since the Unix epoch in its first 48 bits, then 74 random
    /// bits. Ids made one after another sort in the order they were made (to the millisecond), so an index on
    /// them grows at its end: the served requests' events are stored by request id, and with random ids each
    /// flush of events rewrote a page of that index per event, wherever it fell.
    public static func timeOrdered(milliseconds: Int64) -> String {
        let (random, low) = randomPair()
        let high = UInt64(truncatingIfNeeded: max(milliseconds, 0)) << 16 | 0x7000 | random & 0x0FFF
        return text(high: high, low: low, hyphens: true)
    }

    private static func text(hyphens: Bool) -> String {
        let (random, low) = randomPair()
        // The version (4) in the high word's bits 12–15.
        let high = random & ~0xF000 | 0x4000
        return text(high: high, low: low, hyphens: hyphens)
    }

    /// The UUID of `high` (with its version) and `low`, whose top two bits become the variant (binary 10).
    private static func text(high: UInt64, low random: UInt64, hyphens: Bool) -> String {
        let low = random & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: hyphens ? 36 : 32) { buffer in
            var written = 0
            for index in 0..<32 {
                if hyphens && (index == 8 || index == 12 || index == 16 || index == 20) {
                    buffer[written] = UInt8(ascii: "-")
                    written += 1
                }
                let word = index < 16 ? high : low
                buffer[written] = digits.utf8Start[Int((word >> UInt64(60 - (index % 16) * 4)) & 0xF)]
                written += 1
            }
            return written
        }
    }
}
