import StewardCore
import Synchronization

/// The audit chain's status as the audit page shows it. Verifying the whole chain reads every event (tens of
/// milliseconds per thousand), so it runs at most every `fullInterval`; between, each view verifies only the
/// events appended since the last verification, continuing the chain from its verified head.
final class AuditChainStatus: Sendable {
    struct Known: Sendable {
        let verified: AuditService.Verified
        /// When the whole chain was last verified.
        let fullAt: Int64
    }

    private let known = Mutex<Known?>(nil)
    static let fullInterval: Int64 = 5 * 60_000

    /// The chain's status now, and when it was last verified in full.
    func check(_ audit: AuditService, now: Int64) async throws -> (Result<AuditService.Verified, AuditChain.Break>, fullAt: Int64) {
        let previous = known.withLock { $0 }
        let full = previous.map { now - $0.fullAt >= Self.fullInterval } ?? true
        let result: Result<AuditService.Verified, AuditChain.Break>
        if !full, let previous {
            result = try await audit.verify(continuing: previous.verified)
        } else {
            result = try await audit.verify()
        }
        let fullAt = full ? now : previous?.fullAt ?? now
        switch result {
        case .success(let verified): known.withLock { $0 = Known(verified: verified, fullAt: fullAt) }
        // A break is found again, in full, on the next view.
        case .failure: known.withLock { $0 = nil }
        }
        return (result, fullAt)
    }
}
