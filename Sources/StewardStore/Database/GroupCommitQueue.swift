import SQLKit
import StewardCore
import Synchronization

/// Write jobs waiting for SQLite's single writer, handed over in batches so that many callers share one
/// transaction and one fsync (group commit).
///
/// Callers suspend in `submit` until the transaction holding their job has committed or their job has failed;
/// the writer takes everything queued at once with `nextBatch`.
final class GroupCommitQueue: Sendable {
    /// A caller's write and the continuation that reports its outcome.
    struct Job: Sendable {
        let body: @Sendable (any SQLDatabase) async throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var pending: [Job] = []
        var waiter: CheckedContinuation<[Job]?, Never>?
        var closed = false
    }

    private enum SubmitAction {
        case rejected
        case queued
        case handOver(CheckedContinuation<[Job]?, Never>, [Job])
    }

    private let state = Mutex(State())
    /// The most jobs one transaction takes, so one commit's latency stays bounded.
    let maximumBatchSize: Int

    /// Told how many jobs are queued each time that changes: a job queued while the writer is busy, a batch taken
    /// (`YieldPoint.writesWaiting`: a writer does not give its core away while callers wait for it).
    let waiting: @Sendable (Int) -> Void

    init(maximumBatchSize: Int = 512, waiting: @escaping @Sendable (Int) -> Void = YieldPoint.writesWaiting) {
        self.maximumBatchSize = maximumBatchSize
        self.waiting = waiting
    }

    /// Queues `body` and returns its result once the transaction that ran it has committed.
    func submit<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let job = Job(body: { try await body($0) }, continuation: continuation)
            let action: SubmitAction = state.withLock { state in
                if state.closed { return .rejected }
                state.pending.append(job)
                guard let waiter = state.waiter else {
                    // The writer is busy and this caller waits for it: it stops giving its core away.
                    waiting(state.pending.count)
                    return .queued
                }
                state.waiter = nil
                return .handOver(waiter, takeBatch(&state))
            }
            switch action {
            case .rejected:
                continuation.resume(
                    throwing: StewardError(.temporarilyUnavailable, "The store is shutting down and accepts no more writes; retry the request."))
            case .queued: break
            case .handOver(let waiter, let jobs): waiter.resume(returning: jobs)
            }
        }
        guard let typed = result as? T else { preconditionFailure("group commit returned \(type(of: result)), expected \(T.self)") }
        return typed
    }

    /// The next jobs to commit, waiting until there are some; nil once the queue is closed and drained.
    func nextBatch() async -> [Job]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[Job]?, Never>) in
            let ready: [Job]?? = state.withLock { state in
                if !state.pending.isEmpty { return .some(takeBatch(&state)) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Stops taking jobs; those already queued are still handed out by `nextBatch`.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<[Job]?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            // A waiting writer means nothing is pending: it can stop now.
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Whether the writer waits for jobs (none is pending).
    var writerIsWaiting: Bool { state.withLock { $0.waiter != nil } }

    private func takeBatch(_ state: inout State) -> [Job] {
        let batch: [Job]
        if state.pending.count <= maximumBatchSize {
            batch = state.pending
            state.pending.removeAll(keepingCapacity: true)
        } else {
            batch = Array(state.pending.prefix(maximumBatchSize))
            state.pending.removeFirst(maximumBatchSize)
        }
        // Jobs taken with others in one transaction do not count: most are background writes (a flush of events
        // and the gateway's spend written every 50 ms often meet), and counting them took the gateway's
        // one-connection p99 for streams to +1.79 ms in a run (+1.08-1.19 without); a grant that meets a flush
        // waits for it as any write waits for the transaction ahead.
        waiting(state.pending.count)
        return batch
    }
}
