import NIOCore
import Synchronization

/// The gateway calls under way, by the connection they came on, so that a client that goes away before its answer
/// ends the provider's call: `ClientDepartureGuard` reports a connection whose client ended its side or that
/// broke, and the call under way on it is cancelled.
final class AbandonedCalls: Sendable {
    static let shared = AbandonedCalls()

    private let calls = Mutex<[ObjectIdentifier: Task<GatewayCalls.Outcome, any Error>]>([:])

    /// Runs `work` as the call under way on `connection` (when there is one) and returns its outcome; the client's
    /// leaving, or the caller's cancellation, cancels it.
    func run(
        on connection: (any Channel)?, _ work: @escaping @Sendable () async throws -> GatewayCalls.Outcome
    ) async throws -> GatewayCalls.Outcome {
        guard let connection else { return try await work() }
        let id = ObjectIdentifier(connection)
        let task = Task { try await work() }
        calls.withLock { $0[id] = task }
        defer { calls.withLock { calls in if calls[id] == task { calls[id] = nil } } }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// The client of `connection` went away: the call under way on it, if any, is cancelled.
    func clientLeft(_ connection: any Channel) {
        calls.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }?.cancel()
    }
}
