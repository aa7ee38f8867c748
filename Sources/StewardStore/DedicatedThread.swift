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

    /// Starts the thread; it keeps this executor alive until `shutdown()` lets it finish.
    public init(name: String) {
        let thread = Thread { self.runLoop() }
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

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
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
