import Synchronization

/// Merges concurrent calls of one kind into batches executed together, so that the cost of a round trip, a
/// transaction or a commit is paid per batch instead of per call: concurrent log-batch calls share one
/// transaction (`SQLRunRepository`), concurrent readers of a change stamp share one read
/// (`PostgresStoreDatabase.currentChangeStamp`).
///
/// Leaders and followers: a caller that finds no batch in flight becomes the leader, takes every pending call (its
/// own included) and executes them; calls that arrive meanwhile wait. When the leader's batch is done, each call
/// in it gets its own outcome, and the first waiting call, if any, leads the next batch with every call waiting by
/// then. A batch never holds a call that arrived after it started executing, so whatever the batch reads was read
/// after each of its callers asked. No task outlives its caller. A leader that is cancelled still executes its
/// batch to the end, for its followers' sake.
///
/// One batch at a time, on PostgreSQL too: a second batch in flight started with the few calls that had arrived
/// since the first began, then waited for the first's row locks on the latest values anyway; with one, the next
/// batch takes everything that arrived meanwhile and pays one commit for it. Measured with bench/stores.py's
/// log-batch requests (16 connections, one run, 12 s) on one PostgreSQL server: one batch at a time was faster in
/// each of six alternated pairs of runs (3,010–3,970 requests a second against 2,517–3,420).
public final class CallCoalescer<Call: Sendable, Output: Sendable>: Sendable {
    /// Executes a batch of calls and returns each call's outcome, in order. A call that is invalid (say, its run
    /// is deleted) gets a failure; throwing fails the whole batch.
    public typealias Execute = @Sendable ([Call]) async throws -> [Result<Output, any Error>]

    private enum Signal: Sendable {
        case finished(Result<Output, any Error>)
        case lead
    }

    private struct Waiter: Sendable {
        let call: Call
        let continuation: CheckedContinuation<Signal, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiter] = []
        var leading = false
    }

    private let state = Mutex(State())
    private let execute: Execute
    private let maximumBatchSize: Int

    public init(maximumBatchSize: Int = 256, execute: @escaping Execute) {
        precondition(maximumBatchSize >= 1)
        self.execute = execute
        self.maximumBatchSize = maximumBatchSize
    }

    /// Executes `call`, merged with whatever else is pending, and returns its outcome once its batch is done.
    public func submit(_ call: Call) async throws -> Output {
        let becomesLeader = state.withLock { state -> Bool in
            guard !state.leading else { return false }
            state.leading = true
            return true
        }
        if becomesLeader { return try await lead(first: call) }
        let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
            let promoted = state.withLock { state -> Bool in
                guard state.leading else {
                    state.leading = true
                    return true
                }
                state.waiting.append(Waiter(call: call, continuation: continuation))
                return false
            }
            if promoted { continuation.resume(returning: .lead) }
        }
        switch signal {
        case .finished(let result): return try result.get()
        case .lead: return try await lead(first: call)
        }
    }

    /// Executes `first` with the calls waiting now, reports their outcomes, and hands leadership on.
    private func lead(first: Call) async throws -> Output {
        let maximumBatchSize = maximumBatchSize
        let followers = state.withLock { state -> [Waiter] in
            let taken = Array(state.waiting.prefix(maximumBatchSize - 1))
            state.waiting.removeFirst(taken.count)
            return taken
        }
        let calls = [first] + followers.map(\.call)
        // In a task of its own, awaited here: the leader's cancellation (its client gone) must not fail the
        // calls of others that it carries. Awaiting a task's value does not pass cancellation on, so the batch
        // always finishes, and before its leader returns.
        let execute = execute
        let outcomes = await Task {
            do {
                let outcomes = try await execute(calls)
                precondition(outcomes.count == calls.count, "a coalesced batch of \(calls.count) calls returned \(outcomes.count) outcomes")
                return outcomes
            } catch {
                return Array(repeating: .failure(error), count: calls.count)
            }
        }.value
        for (waiter, outcome) in zip(followers, outcomes.dropFirst()) {
            waiter.continuation.resume(returning: .finished(outcome))
        }
        let next = state.withLock { state -> Waiter? in
            guard !state.waiting.isEmpty else {
                state.leading = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return try outcomes[0].get()
    }
}
