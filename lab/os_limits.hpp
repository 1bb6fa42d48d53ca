#pragma once
// What the operating system grants a process by default and the lab asks more of.
#include <sys/prctl.h>
#include <sys/resource.h>

namespace lab {

// Many connections need many file descriptors: raise this process's soft limit to its hard one.
inline void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// Timers that fire when asked. By default Linux may wake a sleeping thread up to 50 µs after its
// timer is due, to batch wake-ups; a lesson of ten sleeps in a row would add that ten times to
// its makespan. Threads started afterwards inherit it.
inline void wake_on_time() { prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL); }

}  // namespace lab
