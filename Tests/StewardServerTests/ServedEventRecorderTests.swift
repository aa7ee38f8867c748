import Foundation
import Logging
import StewardCore
import Synchronization
import Testing

@testable import StewardServer

/// The served requests' event queue: what a flush promises to whoever reads a deployment's numbers after it.
@Suite struct ServedEventRecorderTests {
    /// A write that is held until the test lets it go, and the events committed so far.
    final class HeldWrites: Sendable {
        private let state = Mutex<(committed: [String], held: CheckedContinuation<Void, Never>?, holding: Bool)>(([], nil, true))
        private let started = AsyncStream<Void>.makeStream()

        /// Writes `events`; the first call waits for `release()` and says when it started waiting.
        func write(_ events: [InferenceEvent]) async {
            let hold = state.withLock { state in
                defer { state.holding = false }
                return state.holding
            }
            if hold {
                await withCheckedContinuation { continuation in
                    state.withLock { $0.held = continuation }
                    started.continuation.yield()
                }
            }
            state.withLock { $0.committed += events.map(\.requestID) }
        }

        func waitUntilHeld() async {
            var iterator = started.stream.makeAsyncIterator()
            _ = await iterator.next()
        }

        func release() { state.withLock { $0.held }?.resume() }

        var committed: [String] { state.withLock { $0.committed } }
    }

    static func event(_ id: String) -> InferenceEvent { InferenceEvent(requestID: id, time: 0, deploymentID: "dep-1", arm: "champion") }

    @Test func aFlushReturnsOnlyWhenEverythingRecordedBeforeItIsCommitted() async throws {
        let writes = HeldWrites()
        let recorder = ServedEventRecorder(write: { _, events in await writes.write(events) }, logger: Logger(label: "test"))
        recorder.record(systemID: "sys-1", events: [Self.event("a"), Self.event("b")], deploymentID: "dep-1")
        // The schedule's flush takes a and b out of the queue and is held mid-write.
        let scheduled = Task { await recorder.flush() }
        await writes.waitUntilHeld()
        recorder.record(systemID: "sys-1", events: [Self.event("c")], deploymentID: "dep-1")
        // A reader's flush: it must not return before a and b (taken by the other flush) and c are committed.
        let reader = Task {
            await recorder.flush()
            return writes.committed
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(writes.committed.isEmpty)
        writes.release()
        await scheduled.value
        #expect(Set(await reader.value) == ["a", "b", "c"])
    }

    @Test func aFailedWriteKeepsItsEventsForTheNextFlush() async throws {
        let attempts = Mutex(0)
        let committed = Mutex<[String]>([])
        let recorder = ServedEventRecorder(
            write: { _, events in
                if attempts.withLock({ count in
                    count += 1
                    return count == 1
                }) {
                    throw StewardError(.internalError, "database away")
                }
                committed.withLock { $0 += events.map(\.requestID) }
            }, logger: Logger(label: "test"))
        recorder.record(systemID: "sys-1", events: [Self.event("a")], deploymentID: "dep-1")
        await recorder.flush()
        #expect(committed.withLock { $0 }.isEmpty)
        await recorder.flush()
        #expect(committed.withLock { $0 } == ["a"])
    }

    @Test func aScheduledFlushThatFallsBehindPausesYieldPointsUntilOneKeepsUp() async throws {
        let slow = Mutex(true)
        let pauses = Mutex<[Bool]>([])
        let recorder = ServedEventRecorder(
            write: { _, _ in if slow.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(150)) } }, logger: Logger(label: "test"),
            behind: .milliseconds(75), pauseYieldPoints: { paused in pauses.withLock { $0.append(paused) } })
        recorder.record(systemID: "sys-1", events: [Self.event("a")], deploymentID: "dep-1")
        await recorder.flush(decidingYieldPoints: true)
        #expect(pauses.withLock { $0 } == [true], "a scheduled flush that took longer than `behind` pauses them")
        slow.withLock { $0 = false }
        recorder.record(systemID: "sys-1", events: [Self.event("b")], deploymentID: "dep-1")
        await recorder.flush()
        #expect(pauses.withLock { $0 } == [true], "a reader's flush, quick after a slow one, leaves them paused")
        recorder.record(systemID: "sys-1", events: [Self.event("c")], deploymentID: "dep-1")
        await recorder.flush(decidingYieldPoints: true)
        #expect(pauses.withLock { $0 } == [true, false], "a scheduled one that kept up turns them back on")
    }
}
