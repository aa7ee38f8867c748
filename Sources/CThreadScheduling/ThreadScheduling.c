#define _GNU_SOURCE
#include "CThreadScheduling.h"

#include <errno.h>

#if defined(__linux__)
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/// The kernel's `struct sched_attr` (its first version, 48 bytes, is enough for `sched_runtime`).
struct steward_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

int steward_set_thread_time_slice(unsigned long long nanoseconds) {
    struct steward_sched_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    if (syscall(SYS_sched_getattr, 0, &attributes, sizeof attributes, 0) != 0) return -1;
    attributes.size = sizeof attributes;
    attributes.sched_flags = 0;
    attributes.sched_runtime = nanoseconds;
    return (int)syscall(SYS_sched_setattr, 0, &attributes, 0);
}
#else
int steward_set_thread_time_slice(unsigned long long nanoseconds) {
    (void)nanoseconds;
    errno = ENOSYS;
    return -1;
}
#endif
