import StewardCore
import Synchronization

/// Window profiles already decoded, by row id. A stored profile is never updated (compaction deletes rows and
/// inserts new ones under new ids), so a decoded row stays right for as long as it is kept. Decoding the JSON of
/// a profile takes about 0.25 ms, which made a month of a system's monitoring (720 hourly rows, read for the
/// charts, the daily drift and the window's drift) take over a second to show; kept, it is a lookup.
final class DecodedProfiles: Sendable {
    private let rows = Mutex<[String: WindowProfile]>([:])
    /// At most this many rows are kept (a few kilobytes each); past it, the cache starts again empty.
    static let capacity = 20_000

    func profile(id: String, decode: () throws -> WindowProfile) rethrows -> WindowProfile {
        if let known = rows.withLock({ $0[id] }) { return known }
        let decoded = try decode()
        rows.withLock { rows in
            if rows.count >= Self.capacity { rows.removeAll(keepingCapacity: true) }
            rows[id] = decoded
        }
        return decoded
    }
}
