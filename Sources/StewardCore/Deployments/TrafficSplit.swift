/// Which arm of a deployment serves a request: sticky and the same on every replica. A unit key (a user, a store)
/// is hashed with the deployment's salt into 10,000 buckets, and each arm owns a range of buckets as wide as its
/// weight in basis points; a request without a key gets a random bucket.
///
/// The last arm (the challenger of a canary) owns the top of the range, so as its weight grows, every unit it
/// already served stays with it: a canary stepping from 5% to 10% adds units to the challenger and moves none back.
/// A weight of 0 owns no bucket, so from the next request on that arm receives nothing, on every replica.
public struct TrafficSplit: Sendable, Equatable {
    public static let buckets = 10_000

    /// Each arm's weight in basis points (hundredths of a percent), summing to 10,000.
    public let basisPoints: [Int]
    public let salt: String

    /// `percentages` must sum to 100 with at most two decimals each (so that they fill the buckets exactly).
    public init(percentages: [Double], salt: String) throws(StewardError) {
        guard !percentages.isEmpty else { throw .invalidParameter("A deployment needs at least one arm.") }
        var points: [Int] = []
        points.reserveCapacity(percentages.count)
        for percentage in percentages {
            let scaled = (percentage * 100).rounded()
            guard percentage >= 0, percentage <= 100, abs(scaled - percentage * 100) < 1e-6 else {
                throw .invalidParameter("Each weight is a percentage from 0 to 100 with at most two decimals, got \(percentage).")
            }
            points.append(Int(scaled))
        }
        guard points.reduce(0, +) == Self.buckets else {
            throw .invalidParameter(
                "The weights must sum to 100; they sum to \(Double(points.reduce(0, +)) / 100) (\(percentages.map { "\($0)" }.joined(separator: " + ")))."
            )
        }
        basisPoints = points
        self.salt = salt
    }

    /// The bucket of a unit key: FNV-1a over the salt, a separator and the key's UTF-8, finished by SplitMix64's
    /// mixer so that keys that differ in one character land far apart; the same on every platform and replica.
    public func bucket(unit: String) -> Int { Self.bucket(unit: unit, salt: salt) }

    /// The bucket of `unit` under `salt` (see `bucket(unit:)`).
    public static func bucket(unit: String, salt: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in salt.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        hash = (hash ^ 0x1f) &* 0x100_0000_01b3
        for byte in unit.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Int(hash % UInt64(Self.buckets))
    }

    /// The arm that owns `bucket`: arms take consecutive ranges, the first from 0.
    public func arm(bucket: Int) -> Int {
        var end = 0
        for (index, width) in basisPoints.enumerated() {
            end += width
            if bucket < end { return index }
        }
        return basisPoints.lastIndex { $0 > 0 } ?? 0
    }

    /// The arm for a request with `unit` as its key, or, without one, a random bucket's.
    public func arm(unit: String?) -> Int {
        arm(bucket: unit.map(bucket(unit:)) ?? Int.random(in: 0..<Self.buckets))
    }
}
