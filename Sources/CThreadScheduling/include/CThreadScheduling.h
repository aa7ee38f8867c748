#ifndef C_THREAD_SCHEDULING_H
#define C_THREAD_SCHEDULING_H

/// Makes the calling thread one that gives up its core at `steward_yield_point` once `nanoseconds` of wall-clock
/// time (the monotonic clock: time preempted or blocked in a system call counts too) have passed since it last
/// did so or last woke (`steward_yield_points_rested`). For threads that do long runs of work no
/// request waits on: a thread that woke to answer a request and waits for this thread's core gets it within about
/// one quantum, where the kernel would otherwise let the long run go on for milliseconds.
void steward_yield_points_begin(unsigned long long nanoseconds);

/// Starts the calling thread's quantum anew: it was waiting, not running.
void steward_yield_points_rested(void);

/// Turns every thread's yield points off (`paused` not 0) or back on: while the work they slow down falls behind,
/// it runs at its full share of the CPU.
void steward_yield_points_pause(int paused);

/// How many writes are queued for the database's writer (a thread with yield points): while any is, yield points
/// do nothing, since a request may be waiting on one of those writes and yielding would only make it wait longer.
void steward_yield_points_writes_waiting(int count);

/// On a thread that called `steward_yield_points_begin` and has used up its quantum, unless yield points are paused
/// or a write waits: `sched_yield`, which hands the core to a thread waiting for it if there is one and returns at
/// once if there is none. On other threads nothing (one thread-local read). Written in C for its thread-local
/// state and because it runs in SQLite's progress handler, every thousand steps of every statement.
void steward_yield_point(void);

/// How many times the calling thread has yielded at `steward_yield_point`.
unsigned long long steward_yield_points_yielded(void);

#endif
