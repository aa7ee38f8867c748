#ifndef C_THREAD_SCHEDULING_H
#define C_THREAD_SCHEDULING_H

/// Asks the kernel's fair scheduler (EEVDF, Linux 6.12 and later) for a time slice of `nanoseconds` for the calling
/// thread, keeping its policy and nice value: `sched_setattr` with `sched_runtime`, which glibc does not wrap and
/// Swift cannot call through the variadic `syscall`. Returns 0, or -1 with errno set (an older kernel, or a system
/// other than Linux).
int steward_set_thread_time_slice(unsigned long long nanoseconds);

#endif
