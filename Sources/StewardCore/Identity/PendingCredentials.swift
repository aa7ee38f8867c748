import Synchronization

/// The credentials of a request authenticated from what this replica remembers
/// (`IdentityService.provisionalAuthentication`), not yet confirmed against the store.
///
/// They were read under a credentials stamp, and they hold as long as the store's stamp is still that one. The
/// request's own transaction reads the stamp (in the same statement as its write, for a run's logged values), so
/// confirming costs PostgreSQL no round trip of its own, where reading the stamp before every request took
/// 1.6 ms at p50 and a fifth of log-batch's throughput (`bench/stores.py`). A store that finds another stamp rolls
/// back and calls `confirm()`, which authenticates the token afresh: the request goes on when the token still
/// stands for the same principal, and is refused (`CredentialsChanged`) before anything is written when it does
/// not. A token revoked on any replica thus still stops every write from the moment the revocation commits.
public final class PendingCredentials: Sendable {
    /// The unconfirmed credentials of the request the current task serves.
    @TaskLocal public static var current: PendingCredentials?

    /// The credentials stamp the principal was read under.
    public let stamp: Int64
    private let stillHold: @Sendable () async throws -> Bool
    private let confirmed = Atomic<Bool>(false)

    /// `stillHold` authenticates the token afresh and tells whether it stands for the same principal.
    public init(stamp: Int64, stillHold: @escaping @Sendable () async throws -> Bool) {
        self.stamp = stamp
        self.stillHold = stillHold
    }

    /// The credentials of the current task's request when they still need confirming.
    public static var unconfirmed: PendingCredentials? {
        current.flatMap { $0.isConfirmed ? nil : $0 }
    }

    public var isConfirmed: Bool { confirmed.load(ordering: .acquiring) }

    /// Records that a transaction found `stamp` to be the store's (nothing to ask again).
    public func markConfirmed() {
        confirmed.store(true, ordering: .releasing)
    }

    /// Authenticates the token afresh; throws `CredentialsChanged` when it no longer stands for the same principal.
    public func confirm() async throws {
        // Read as any request's credentials are: not confirmed by the reads themselves.
        guard try await Self.$current.withValue(nil, operation: stillHold) else { throw CredentialsChanged() }
        markConfirmed()
    }
}

/// The credentials a request was served under from memory no longer hold (the token was revoked or has expired,
/// or its user's role changed) and nothing was written: the authentication middleware serves the request again
/// under what the store now says.
public struct CredentialsChanged: Error, Sendable {
    public init() {}
}
