import Foundation
import NIOCore
import StewardCore
import StewardJSON
import Synchronization

/// Answers kept for exact repeats of a request, per system: the key is the system, the route and the request's
/// canonical JSON (keys sorted) without the fields that change only how the answer is delivered (`stream`,
/// `stream_options`) or who asked (`user`), so no two requests that could be answered differently share an entry.
/// Kept in memory per server, for the configuration's TTL, the least recently used dropped first; answers larger
/// than 1 MiB are not kept.
final class GatewayAnswerCache: Sendable {
    private struct Entry {
        let answer: ByteBuffer
        let expiresAt: Int64
        var used: UInt64
    }

    /// The entries, and the order they were used in: each use appends a stamp to `recency`, and a stamp is the
    /// entry's only while it is the entry's latest; the oldest current stamp names the least recently used entry.
    /// Dropping it costs no sort: sorting 10,000 entries to drop the oldest tenth, each time a full cache took
    /// another answer, put 1 ms stalls on an event loop every 1,000 calls (`bench/gateway.py`, every call new).
    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
        var bytes = 0
        var recency: [(key: String, used: UInt64)] = []
        var recencyStart = 0

        /// A new stamp for `key`, which the caller stores as the entry's `used`.
        mutating func use(_ key: String) -> UInt64 {
            // Stamps already passed and stale ones are dropped once they outnumber the entries twice over: each
            // live stamp is copied at most once per as many new ones, so the queue stays bounded.
            if recency.count > 2 * entries.count + 1024 {
                let entries = entries
                recency = recency[recencyStart...].filter { entries[$0.key]?.used == $0.used }
                recencyStart = 0
            }
            clock += 1
            recency.append((key, clock))
            return clock
        }

        /// Drops the least recently used entry; false when there is none.
        mutating func dropLeastRecentlyUsed() -> Bool {
            while recencyStart < recency.count {
                let (key, used) = recency[recencyStart]
                recencyStart += 1
                if let entry = entries[key], entry.used == used {
                    bytes -= entry.answer.readableBytes
                    entries[key] = nil
                    return true
                }
            }
            return false
        }
    }

    private let state = Mutex(State())
    /// How many use stamps are kept (for the tests: bounded by the entries, however many answers pass through).
    var stampCount: Int { state.withLock { $0.recency.count } }
    static let largestAnswer = 1 << 20
    /// All kept answers together stay under this.
    static let maximumBytes = 256 << 20

    /// The fields that do not change the answer.
    static let deliveryFields: Set<String> = ["stream", "stream_options", "user"]

    static func key(systemID: String, version: Int64, call: GatewayCall) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(call.byteCount + systemID.utf8.count + 64)
        text += "\(systemID)\u{0}\(version)\u{0}\(call.kind.path)\u{0}".utf8
        JSONValue.writeObject(call.members, omitting: deliveryFields, into: &text)
        return SHA256Digest.hex(of: text)
    }

    /// The answer kept for `key`, if it has not expired.
    func answer(for key: String, now: Int64) -> ByteBuffer? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            guard entry.expiresAt > now else {
                state.bytes -= entry.answer.readableBytes
                state.entries[key] = nil
                return nil
            }
            entry.used = state.use(key)
            state.entries[key] = entry
            return entry.answer
        }
    }

    /// Keeps `answer` for `key`, making room by dropping the least recently used entries when full.
    func keep(_ answer: ByteBuffer, for key: String, settings: GatewayConfiguration.Cache, now: Int64) {
        guard answer.readableBytes <= Self.largestAnswer else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.bytes -= old.answer.readableBytes }
            while state.entries.count >= settings.maximumEntries || state.bytes + answer.readableBytes > Self.maximumBytes {
                guard state.dropLeastRecentlyUsed() else { break }
            }
            let used = state.use(key)
            state.entries[key] = Entry(answer: answer, expiresAt: now + Int64(settings.ttlSeconds) * 1000, used: used)
            state.bytes += answer.readableBytes
        }
    }

    /// A kept chat completion as the server-sent events a stream of it would have been: per choice its message
    /// as one delta and its finish reason, the usage chunk when the client asked for it, then `[DONE]`.
    static func events(of completion: JSONValue, includeUsage: Bool) -> ByteBuffer {
        guard case .object(let members) = completion else { return ByteBuffer(string: "data: [DONE]\n\n") }
        var base: [String: JSONValue] = ["object": .string("chat.completion.chunk")]
        for field in ["id", "created", "model", "system_fingerprint"] { base[field] = members[field] }
        var text = ""
        func send(_ fields: [String: JSONValue]) {
            text += "data: " + JSONValue.object(base.merging(fields) { $1 }).description + "\n\n"
        }
        if case .array(let choices)? = members["choices"] {
            for choice in choices {
                guard case .object(let fields) = choice else { continue }
                let index = fields["index"] ?? .integer(0)
                var delta: [String: JSONValue] = ["role": .string("assistant")]
                if case .object(let message)? = fields["message"] {
                    for (name, value) in message where name != "role" { delta[name] = value }
                    // A streamed tool call says which of the message's calls it continues (`index`), as providers send them.
                    if case .array(let calls)? = message["tool_calls"] {
                        delta["tool_calls"] = .array(
                            calls.enumerated().map { position, call in
                                guard case .object(var members) = call, members["index"] == nil else { return call }
                                members["index"] = .integer(position)
                                return .object(members)
                            })
                    }
                }
                send(["choices": .array([.object(["index": index, "delta": .object(delta), "finish_reason": .null])])])
                send(["choices": .array([.object(["index": index, "delta": .object([:]), "finish_reason": fields["finish_reason"] ?? .null])])])
            }
        }
        if includeUsage, let usage = members["usage"] { send(["choices": .array([]), "usage": usage]) }
        return ByteBuffer(string: text + "data: [DONE]\n\n")
    }
}
