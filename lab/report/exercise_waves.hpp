#pragma once
// Why a right answer to an exercise took a few d, not one: its requests waited together, but a
// pool of threads let only so many wait at once, so they were answered in waves. asyncio's own
// pool is the usual one: `asyncio.to_thread` (and `run_in_executor(None, ...)`) wait in the loop's
// default executor, min(32, os.cpu_count() + 4) threads, 6 on 2 cores: 10 requests in 2 waves.
#include <string>

namespace lab {

// What Python's os.cpu_count() says here: every CPU online (CPython 3.11 counts them, not the
// process's affinity, when it sizes the default executor).
int python_cpu_count();
// The thread tokens AnyIO lends `def` routes and dependencies unless an app changes them.
inline constexpr int anyio_default_tokens = 40;
// The threads of asyncio's default executor on `cpus` CPUs (concurrent.futures.ThreadPoolExecutor's
// default since Python 3.8).
int default_executor_threads(int cpus);
// Whether the app's source hands work to that executor: asyncio.to_thread or run_in_executor(None,
// ...).
bool uses_default_executor(const std::string& source);

struct Waves {
    int together = 0;  // requests that arrived at once (N, or the concurrency if smaller)
    double delay_s = 0;  // d, what each waits
    double measured_s = 0;  // how long they all took (the median batch)
    int cpus = 0;  // python_cpu_count()
    bool default_executor = false;
};
// "Your 10 requests took 0.203 s, about 2 waves of d ...": why, in the exercise's words; empty when
// they took about one d (under 1.5 d): one wave, nothing to explain.
std::string waves_text(const Waves& w);

}  // namespace lab
