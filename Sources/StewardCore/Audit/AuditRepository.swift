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

extension AuditRepository {
    /// Appends `entry` as a refusal with the error's message as its reason, then throws the error.
    public func refuse(_ entry: AuditEntry, _ error: StewardError, now: Int64) async throws -> Never {
        var entry = entry
        entry.outcome = .refused
        entry.details["reason"] = error.message
        try await append(entry, now: now)
        throw error
    }

    /// Requires an authenticated actor holding one of `roles`, auditing a refusal as `entry`.
    public func require(_ actor: Principal, _ roles: Set<Role>, to verb: String, _ entry: AuditEntry, now: Int64) async throws {
        do { try actor.require(roles, to: verb) } catch { try await refuse(entry, error, now: now) }
    }
}
