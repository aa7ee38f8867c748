import Foundation
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

        @Test("A batch thread asks for a long time slice where the kernel has them; a normal one keeps the default")
        func batchTimeSlice() async throws {
            /// The calling thread's `sched_runtime`, in nanoseconds: the `se.slice` line of its scheduler statistics.
            func slice() -> Int? {
                guard let text = try? String(contentsOfFile: "/proc/thread-self/sched", encoding: .utf8) else { return nil }
                let line = text.split(separator: "\n").first { $0.hasPrefix("se.slice") }
                return line.flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") }
            }
            let batch = DedicatedThread(name: "batch-test", scheduling: .batch)
            let normal = DedicatedThread(name: "normal-test")
            defer {
                batch.shutdown()
                normal.shutdown()
            }
            let batchSlice = await withTaskExecutorPreference(batch) { slice() }
            let normalSlice = await withTaskExecutorPreference(normal) { slice() }
            guard let batchSlice, let normalSlice, normalSlice != 100_000_000 else { return }  // no EEVDF slices here
            #expect(batchSlice == 100_000_000 && normalSlice < batchSlice, "\(batchSlice) against \(normalSlice)")
        }
    #endif
}
