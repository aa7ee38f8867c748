/// Reading and verifying the audit log. Writing happens where the audited change happens, in the same
/// transaction, or for refusals, which change nothing else, through `AuditRepository.refuse`.
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

    /// Events matching `query`; reviewers, compliance officers and admins may read them.
    public func events(_ query: AuditQuery, actor: Principal) async throws -> [AuditEvent] {
        try requireReader(actor)
        guard (1...10_000).contains(query.limit) else { throw StewardError.invalidParameter("limit must be between 1 and 10000.") }
        return try await repository.events(query)
    }

    /// Refuses an actor who may not read the log: reviewers, compliance officers and admins may, and anyone
    /// on a server without authentication who presents no token.
    public func requireReader(_ actor: Principal) throws(StewardError) {
        if authenticationRequired || actor.isAuthenticated {
            try actor.require([.reviewer, .compliance, .admin], to: "read the audit log")
        }
    }

    /// The sequence of the newest event (0 for an empty log), from the chain's head.
    public func latestSequence() async throws -> Int64 {
        try await repository.head()?.sequence ?? 0
    }

    /// What a verification found: how many events verified and the head they lead to.
    public struct Verified: Sendable, Equatable {
        public let count: Int
        public let headHash: String
    }

    /// Recomputes the chain up to the head recorded when verification starts (events appended meanwhile are
    /// left for the next run), page by page, and reports the first event that does not verify. `anchors` are
    /// event hashes recorded outside the database (`sequence: hash`); each must still be in the chain, so that
    /// even a chain rebuilt from scratch by someone with write access to the database is caught.
    public func verify(anchors: [Int64: String] = [:]) async throws -> Result<Verified, AuditChain.Break> {
        try await verify(after: nil, anchors: anchors)
    }

    /// Verifies the events appended since `known` (the chain was verified through its head then) and the chain's
    /// end: what a page showing the chain's status can afford on every view. Events before `known` are not read
    /// again; `verify()` checks them.
    public func verify(continuing known: Verified) async throws -> Result<Verified, AuditChain.Break> {
        try await verify(after: known, anchors: [:])
    }

    private func verify(after known: Verified?, anchors: [Int64: String]) async throws -> Result<Verified, AuditChain.Break> {
        let head = try await repository.head()
        var chain = known.map { AuditChain(after: Int64($0.count), hash: $0.headHash) } ?? AuditChain()
        var after = Int64(known?.count ?? 0)
        var lastHash = known?.headHash ?? AuditChain.genesis
        while let through = head?.sequence, after < through {
            let page = try await repository.events(AuditQuery(afterSequence: after, throughSequence: through, limit: 5000))
            for event in page {
                do throws(AuditChain.Break) { try chain.check(event) } catch { return .failure(error) }
                if let anchor = anchors[event.sequence], anchor.lowercased() != event.hash {
                    return .failure(AuditChain.Break(sequence: event.sequence, reason: "event \(event.sequence) does not match its recorded anchor"))
                }
                lastHash = event.hash
            }
            guard let last = page.last else { break }
            after = last.sequence
        }
        do throws(AuditChain.Break) { try chain.finish(head: head) } catch { return .failure(error) }
        if let missing = anchors.keys.filter({ $0 > Int64(chain.checked) }).min() {
            return .failure(AuditChain.Break(sequence: missing, reason: "event \(missing) is anchored but the chain ends at \(chain.checked)"))
        }
        return .success(Verified(count: chain.checked, headHash: lastHash))
    }
}
