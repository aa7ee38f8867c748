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
    #endif
}
