import SQLKit
import StewardCore
import Synchronization

/// Merges concurrent calls of one kind of write into a single transaction with a handful of statements, so that
/// the cost of a write is paid per batch instead of per call.
///
/// Leader and followers: the first caller to find no write in flight becomes the leader, takes every pending
/// call (its own included) and writes them with `apply`; calls that arrive meanwhile wait. When the leader's
/// write commits, each call in it gets its own outcome, and the first waiting call, if any, leads the next
/// batch. No task outlives its caller.
final class WriteCoalescer<Call: Sendable>: Sendable {
    /// Writes a batch of calls inside one transaction and returns each call's outcome, in order. A call that is
    /// invalid (say, its run is deleted) gets a failure and writes nothing; throwing fails the whole batch.
    typealias Apply = @Sendable ([Call], any SQLDatabase) async throws -> [Result<Void, StewardError>]

    private enum Signal: Sendable {
        case finished(Result<Void, any Error>)
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
    private let database: any StoreDatabase
    private let apply: Apply
    private let maximumBatchSize: Int

    init(database: any StoreDatabase, maximumBatchSize: Int = 256, apply: @escaping Apply) {
        self.database = database
        self.apply = apply
        self.maximumBatchSize = maximumBatchSize
    }

    /// Writes `call`, merged with whatever else is being written, and returns once it is committed.
    func submit(_ call: Call) async throws {
        let becomesLeader = state.withLock { state -> Bool in
            guard !state.leading else { return false }
            state.leading = true
            return true
        }
        if becomesLeader {
            try await lead(first: call)
            return
        }
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
        case .finished(let result): try result.get()
        case .lead: try await lead(first: call)
        }
    }

    /// Writes `first` with the calls waiting now, reports their outcomes, and hands leadership on.
    private func lead(first: Call) async throws {
        let followers = state.withLock { state -> [Waiter] in
            let taken = Array(state.waiting.prefix(maximumBatchSize - 1))
            state.waiting.removeFirst(taken.count)
            return taken
        }
        let calls = [first] + followers.map(\.call)
        let outcomes: [Result<Void, any Error>]
        do {
            let apply = apply
            outcomes = try await database.write { db in try await apply(calls, db) }.map { $0.mapError { $0 as any Error } }
        } catch {
            outcomes = Array(repeating: .failure(error), count: calls.count)
        }
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
        try outcomes[0].get()
    }
}
