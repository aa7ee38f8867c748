import Foundation

/// The rules of the tamper-evident audit chain: how an event's hash is computed and how a chain is checked,
/// event by event, so that the first edited, removed or reordered event is named.
public struct AuditChain: Sendable {
    /// The `prev_hash` of the first event.
    public static let genesis = String(repeating: "0", count: 64)

    public static func hash(previous: String, canonical: Data) -> String {
        SHA256Digest.hex(of: Data(previous.utf8) + canonical)
    }

    /// The first event that does not verify, and why.
    public struct Break: Sendable, Equatable, Error {
        public let sequence: Int64
        public let reason: String
    }

    private var previousHash = genesis
    private var expectedSequence: Int64 = 1
    /// How many events verified so far.
    public private(set) var checked = 0

    public init() {}

    /// A chain whose events through `sequence` were verified before, the last with hash `hash`: checking
    /// continues with the next event.
    public init(after sequence: Int64, hash: String) {
        previousHash = sequence == 0 ? Self.genesis : hash
        expectedSequence = sequence + 1
        checked = Int(sequence)
    }

    /// Checks the next event in sequence order.
    public mutating func check(_ event: AuditEvent) throws(Break) {
        if event.sequence != expectedSequence {
            throw Break(sequence: expectedSequence, reason: "event \(expectedSequence) is missing: the next event found is \(event.sequence)")
        }
        if event.prevHash != previousHash {
            throw Break(sequence: event.sequence, reason: "event \(event.sequence) does not follow the hash of the event before it")
        }
        if Self.hash(previous: event.prevHash, canonical: event.canonicalForm) != event.hash {
            throw Break(sequence: event.sequence, reason: "event \(event.sequence) was altered: its hash does not match its content")
        }
        previousHash = event.hash
        expectedSequence += 1
        checked += 1
    }

    /// Checks the end of the chain against the head the store recorded beside it (last sequence and hash), so
    /// that events removed from the end are noticed too.
    public func finish(head: (sequence: Int64, hash: String)?) throws(Break) {
        let last = expectedSequence - 1
        let headSequence = head?.sequence ?? 0
        if headSequence > last {
            throw Break(sequence: last + 1, reason: "event \(last + 1) is missing: the chain head records \(headSequence) events, \(last) remain")
        }
        if headSequence < last {
            throw Break(
                sequence: headSequence + 1, reason: "event \(headSequence + 1) is not covered by the chain head, which records \(headSequence) events"
            )
        }
        if last > 0 && head?.hash != previousHash {
            throw Break(sequence: last, reason: "event \(last) does not match the hash the chain head records")
        }
    }
}
