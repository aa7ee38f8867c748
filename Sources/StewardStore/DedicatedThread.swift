import CThreadScheduling
import Foundation

/// A dedicated thread that runs Swift tasks: the preferred executor of all work on one SQLite connection, and of
/// the server's background services.
///
/// SQLite calls block; running them on the cooperative pool would stall unrelated tasks, and handing every
/// statement to a thread pool costs two context switches per statement. A task that prefers this executor
/// (`withTaskExecutorPreference`) runs its SQL back to back on this thread, switching threads only when it
/// awaits something else. The steward binary runs Swift Concurrency on NIO's event loops, so background work
/// left there would hold up the requests of a loop while it runs; on a thread of its own it does not.
public final class DedicatedThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// How a thread's work competes for a core with the event loops that answer requests.
    public enum Scheduling: Sendable {
        /// As any thread: for work a request waits on (SQLite's readers).
        case normal
        /// Work done in long runs that no request waits on as it runs (SQLite's writer, which writes flushes of
        /// served events; the background services, which prepare them): the thread passes `YieldPoint`s, where
        /// it hands its core to a waiting thread (an event loop with a request to answer) once 250 µs have passed
        /// since it last yielded or woke.
        /// The kernel's fair scheduler lets a waking loop preempt a long run only if the loop has not had more
        /// than its share of the CPU lately, which a busy loop has: with two cores, a request waited up to 4–5 ms
        /// behind a flush (`perf sched`). A long time slice for these threads (`sched_runtime` 100 ms) took the
        /// serving route's p99 at one connection from 4.1–4.4 ms to 2.6–3.2 ms; yield points instead of it, to
        /// 1.3–1.7 ms (`bench/router.py`). Both at once made the gateway's p99 at 16 connections 2–4 times worse
        /// (a yield moves the thread's deadline by its whole slice), so the slice is gone.
        case batch
    }

    /// How long a batch thread runs before it yields at a `YieldPoint` (50 and 100 µs measured no better).
    static let yieldQuantumNanoseconds: UInt64 = 250_000

    /// Starts the thread; it keeps this executor alive until `shutdown()` lets it finish. `name` is the thread's
    /// name for the system too (`top -H`, `perf`, `/proc/<pid>/task/*/comm`), cut to Linux's 15 bytes.
    public init(name: String, scheduling: Scheduling = .normal) {
        let thread = Thread {
            Self.nameSystemThread(name)
            if scheduling == .batch { steward_yield_points_begin(Self.yieldQuantumNanoseconds) }
            self.runLoop()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Stops the thread once the jobs already queued have run.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Names the calling thread for the system: Foundation's `Thread.name` does not on Linux, where a new thread
    /// kept the name of the thread that made it (an event loop's). Written to `/proc/thread-self/comm`, as
    /// `pthread_setname_np` does (Swift's Glibc module leaves that GNU extension out).
    private static func nameSystemThread(_ name: String) {
        #if os(Linux)
            var bytes = Array(name.utf8.prefix(15))
            while !bytes.isEmpty, String(validating: bytes, as: UTF8.self) == nil { bytes.removeLast() }
            let file = open("/proc/thread-self/comm", O_WRONLY)
            guard file >= 0 else { return }
            _ = write(file, &bytes, bytes.count)
            close(file)
        #endif
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            if jobs.isEmpty && !stopping {
                repeat { condition.wait() } while jobs.isEmpty && !stopping
                steward_yield_points_rested()
            }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
