import Foundation
import StewardCore
import Testing

@testable import StewardStore

/// The threads SQLite connections and background services run on.
@Suite("Dedicated threads")
struct DedicatedThreadTests {
    #if os(Linux)
        @Test("Work preferring the thread runs on it, and the system knows the thread by its name, cut to 15 bytes")
        func namedForTheSystem() async throws {
            let thread = DedicatedThread(name: "sqlite-reader-12345")
            defer { thread.shutdown() }
            let seen = await withTaskExecutorPreference(thread) {
                (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            }
            #expect(seen == "sqlite-reader-1\n")
            let here = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            #expect(here != seen, "the caller's own thread keeps its name")
        }

        @Test("A batch thread yields at yield points once it has run its quantum; a normal thread never does")
        func batchYieldPoints() async throws {
            let batch = DedicatedThread(name: "batch-test", scheduling: .batch)
            let normal = DedicatedThread(name: "normal-test")
            defer {
                batch.shutdown()
                normal.shutdown()
            }
            /// Passes yield points for `milliseconds` of wall time (or until the thread has yielded `enough` times)
            /// and answers how often the thread yielded meanwhile.
            @Sendable func spin(milliseconds: Int, enough: UInt64 = .max, resuming: Bool = false) -> UInt64 {
                let before = YieldPoint.yieldedOnThisThread
                let end = ContinuousClock.now + .milliseconds(milliseconds)
                while ContinuousClock.now < end, YieldPoint.yieldedOnThisThread - before < enough {
                    if resuming {
                        // Other suites in this process pause yield points (a slow scheduled flush of served
                        // events) or hold them off (writes waiting for their writer), process-wide.
                        YieldPoint.pause(false)
                        YieldPoint.writesWaiting(0)
                    }
                    YieldPoint.pass()
                }
                return YieldPoint.yieldedOnThisThread - before
            }
            let yielded = await withTaskExecutorPreference(batch) { spin(milliseconds: 2_000, enough: 3, resuming: true) }
            #expect(yielded >= 3)
            // At most one yield a quantum: 20 ms is 80 quanta of 250 µs.
            let bounded = await withTaskExecutorPreference(batch) { spin(milliseconds: 20) }
            #expect(bounded <= 81)
            #expect(await withTaskExecutorPreference(normal) { spin(milliseconds: 20) } == 0)
        }
    #endif
}
