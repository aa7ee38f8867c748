import CThreadScheduling

/// A place in a long run of work that no request waits on (a flush of served events being prepared or written)
/// where its thread hands the core to a waiting thread once a quantum (250 µs of wall-clock time) has passed
/// since it last yielded or woke.
///
/// With two cores shared by the event loops, the client and the model server, a flush that ran for milliseconds
/// at a stretch held up a request that came meanwhile by as long: the kernel's fair scheduler lets a waking event
/// loop preempt a long-running thread only when the loop has not had more than its share of the CPU lately,
/// which a busy loop has. Passing here is a thread-local read on any other thread (an event loop, a reader of
/// the database) and a clock read on the threads that asked for yield points (`DedicatedThread.Scheduling.batch`);
/// `sched_yield` returns at once when no thread waits for the core.
public enum YieldPoint {
    /// Yields the core if this thread asked for yield points and has used up its quantum.
    @inline(__always)
    public static func pass() { steward_yield_point() }

    /// Turns yield points off everywhere (`true`) or back on. Yielding hands the core to the event loops; under
    /// load that serves more requests than the threads with yield points can keep up with (served events queued
    /// until the queue drops them), so the work that measures its own lag pauses them while it is behind.
    public static func pause(_ paused: Bool) { steward_yield_points_pause(paused ? 1 : 0) }

    /// How many times the calling thread has yielded here.
    public static var yieldedOnThisThread: UInt64 { UInt64(steward_yield_points_yielded()) }

    /// Tells yield points how many writes are queued for SQLite's writer: while any is, they do nothing. A request
    /// may be waiting on one of those writes (a gateway call's budget grant), and a writer that gave its core away
    /// in the middle of a flush of events only made it wait longer.
    public static func writesWaiting(_ count: Int) { steward_yield_points_writes_waiting(Int32(clamping: count)) }
}
