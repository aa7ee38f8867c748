import Synchronization

/// JSON documents of one type already decoded, by their text: the same text always decodes to the same value, so
/// nothing ever needs to be invalidated, and an edited document is simply new text. Kept for the documents that
/// are read far more often than written and cost the most to decode: listing 1,000 systems spent 24 ms of a
/// register page's 90 ms decoding their profiles and questionnaires (`bench/ui.py`, perf), against well under
/// 1 ms to look them up.
final class DecodedJSONCache<Value: Decodable & Sendable>: Sendable {
    /// Keyed by the text's bytes: Swift's `String` equality is canonical equivalence, and two texts that differ
    /// only in Unicode normalization must each decode to their own value.
    private let values = Mutex<[[UInt8]: Value]>([:])
    /// At most this many documents are kept; past it the cache starts again empty.
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// `text` decoded as `SQLJSON` decodes it, from the cache when it was decoded before.
    func decode(_ text: String) throws -> Value {
        let key = Array(text.utf8)
        if let value = values.withLock({ $0[key] }) { return value }
        let value = try SQLJSON.decode(Value.self, text)
        values.withLock { values in
            if values.count >= capacity { values.removeAll(keepingCapacity: true) }
            values[key] = value
        }
        return value
    }
}
