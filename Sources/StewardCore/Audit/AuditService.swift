/// Reading and verifying the audit log. Writing happens where the audited change happens, in the same
/// transaction; this service only appends refusals, which change nothing else.
public struct AuditService: Sendable {
    let repository: any AuditRepository
    let now: @Sendable () -> Int64
    /// Whether the server requires authentication; when it does not, anyone may read the log.
    let authenticationRequired: Bool

    public init(repository: any AuditRepository, authenticationRequired: Bool = false, now: @escaping @Sendable () -> Int64 = EpochClock.now) {
        self.repository = repository
        self.authenticationRequired = authenticationRequired
        self.now = now
    }

    /// Records a refused action.
    public func refused(_ entry: AuditEntry) async throws {
        var entry = entry
        entry.outcome = .refused
        try await repository.append(entry, now: now())
    }

    /// Events matching `query`; reviewers, compliance officers and admins may read them.
    public func events(_ query: AuditQuery, actor: Principal) async throws -> [AuditEvent] {
        if authenticationRequired || actor.isAuthenticated {
            try actor.require([.reviewer, .compliance, .admin], to: "read the audit log")
        }
        guard (1...10_000).contains(query.limit) else { throw StewardError.invalidParameter("limit must be between 1 and 10000.") }
        return try await repository.events(query)
    }

    /// Recomputes the whole chain, page by page, and reports the first event that does not verify.
    public func verify() async throws -> Result<Int, AuditChain.Break> {
        var chain = AuditChain()
        var after: Int64 = 0
        while true {
            let page = try await repository.events(AuditQuery(afterSequence: after, limit: 5000))
            for event in page {
                do { try chain.check(event) } catch { return .failure(error) }
            }
            guard let last = page.last else { break }
            after = last.sequence
        }
        let head = try await repository.head()
        do { try chain.finish(head: head) } catch { return .failure(error) }
        return .success(chain.checked)
    }
}
