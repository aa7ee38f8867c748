#include "CThreadScheduling.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/// The calling thread's quantum (0: not a thread with yield points) and when it is used up, in nanoseconds of
/// the monotonic clock.
static _Thread_local uint64_t yield_quantum;
static _Thread_local uint64_t yield_due;
/// How many times the calling thread yielded at a yield point.
static _Thread_local uint64_t yield_count;

/// Whether yield points are paused, for every thread.
static atomic_int yield_points_paused;
/// Writes waiting for the database's writer.
static atomic_int yield_points_waiting_writes;

static uint64_t monotonic_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void steward_yield_points_begin(unsigned long long nanoseconds) {
    yield_quantum = nanoseconds;
    yield_due = monotonic_nanoseconds() + nanoseconds;
}

void steward_yield_points_rested(void) {
    if (yield_quantum != 0) yield_due = monotonic_nanoseconds() + yield_quantum;
}

void steward_yield_points_pause(int paused) {
    atomic_store_explicit(&yield_points_paused, paused != 0, memory_order_relaxed);
}

void steward_yield_points_writes_waiting(int count) {
    atomic_store_explicit(&yield_points_waiting_writes, count, memory_order_relaxed);
}

unsigned long long steward_yield_points_yielded(void) { return yield_count; }

void steward_yield_point(void) {
    if (yield_quantum == 0) return;
    if (atomic_load_explicit(&yield_points_paused, memory_order_relaxed)) return;
    if (atomic_load_explicit(&yield_points_waiting_writes, memory_order_relaxed) > 0) return;
    if (monotonic_nanoseconds() < yield_due) return;
    sched_yield();
    yield_count += 1;
    yield_due = monotonic_nanoseconds() + yield_quantum;
}
