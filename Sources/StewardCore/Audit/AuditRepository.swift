/// Which audit events to read.
public struct AuditQuery: Sendable, Equatable {
    public var systemID: String?
    public var actor: String?
    public var since: Int64?
    public var until: Int64?
    public var afterSequence: Int64
    /// The last sequence to read, if any.
    public var throughSequence: Int64?
    public var limit: Int

    public init(
        systemID: String? = nil, actor: String? = nil, since: Int64? = nil, until: Int64? = nil, afterSequence: Int64 = 0,
        throughSequence: Int64? = nil, limit: Int = 1000
    ) {
        self.systemID = systemID
        self.actor = actor
        self.since = since
        self.until = until
        self.afterSequence = afterSequence
        self.throughSequence = throughSequence
        self.limit = limit
    }
}

/// The append-only audit log. There is deliberately no way to change or remove an event.
public protocol AuditRepository: Sendable {
    /// Appends one event in its own transaction (refusals, which change nothing else).
    func append(_ entry: AuditEntry, now: Int64) async throws
    /// Events matching the query, in sequence order.
    func events(_ query: AuditQuery) async throws -> [AuditEvent]
    /// The chain head the store keeps beside the events: the last sequence and hash, or nil before any event.
    func head() async throws -> (sequence: Int64, hash: String)?
}
