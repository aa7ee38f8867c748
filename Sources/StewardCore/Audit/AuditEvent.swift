import Foundation

/// One recorded audit event, chained to the one before it: `hash = SHA-256(previous hash ‖ canonical form)`.
public struct AuditEvent: Sendable, Equatable, Codable {
    public let sequence: Int64
    public let time: Int64
    public let actor: String
    public let action: String
    public let outcome: AuditEntry.Outcome
    public let target: String
    public let systemID: String?
    public let details: [String: String]
    public let prevHash: String
    public let hash: String

    public init(
        sequence: Int64, time: Int64, actor: String, action: String, outcome: AuditEntry.Outcome, target: String, systemID: String?,
        details: [String: String], prevHash: String, hash: String
    ) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.outcome = outcome
        self.target = target
        self.systemID = systemID
        self.details = details
        self.prevHash = prevHash
        self.hash = hash
    }

    /// Seals `entry` as event `sequence` after the event whose hash is `prevHash`.
    public init(sealing entry: AuditEntry, sequence: Int64, time: Int64, prevHash: String) {
        let unsealed = AuditEvent(
            sequence: sequence, time: time, actor: entry.actor, action: entry.action, outcome: entry.outcome, target: entry.target,
            systemID: entry.systemID, details: entry.details, prevHash: prevHash, hash: "")
        self.init(
            sequence: sequence, time: time, actor: entry.actor, action: entry.action, outcome: entry.outcome, target: entry.target,
            systemID: entry.systemID, details: entry.details, prevHash: prevHash,
            hash: AuditChain.hash(previous: prevHash, canonical: unsealed.canonicalForm))
    }

    /// The bytes the hash covers: every field but the hashes, as canonical JSON (RFC 8785).
    public var canonicalForm: Data {
        CanonicalJSON.encode(
            .object([
                "sequence": .integer(sequence), "time": .integer(time), "actor": .string(actor), "action": .string(action),
                "outcome": .string(outcome.rawValue), "target": .string(target), "system_id": systemID.map { .string($0) } ?? .null,
                "details": .object(details.mapValues { .string($0) }),
            ]))
    }
}
