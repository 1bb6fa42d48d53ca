#pragma once
// Why an exercise's requests took longer than one d, read from what the run measured: how many
// were answered together before the next waited for a place (waves only where the timeline shows
// a gap), and how long the quickest answer took (what each request costs of its own beyond d: a
// connection made for each). A pool's size names the cause: asyncio's default executor
// (`asyncio.to_thread`, `run_in_executor(None, ...)`) has min(32, os.cpu_count() + 4) threads, 6 on
// 2 cores: 10 requests in 2 waves; AnyIO lends `def` routes 40 thread tokens.
#include <string>

namespace lab {

struct ConfigurationResult;

// What Python's os.cpu_count() says here: every CPU online (CPython 3.11 counts them, not the
// process's affinity, when it sizes the default executor).
int python_cpu_count();
// The thread tokens AnyIO lends `def` routes and dependencies unless an app changes them.
inline constexpr int anyio_default_tokens = 40;
// The threads of asyncio's default executor on `cpus` CPUs (concurrent.futures.ThreadPoolExecutor's
// default since Python 3.8).
int default_executor_threads(int cpus);

struct Waves {
    int together = 0;  // requests that arrived at once (N, or the concurrency if smaller)
    int first_wave = 0;  // answered together before the first gap (the median batch's timeline)
    double delay_s = 0;  // d, what each waits
    double answer_s = 0;  // the quickest answer: d and what each request costs of its own
    double measured_s = 0;  // how long they all took (the median batch)
    int cpus = 0;  // python_cpu_count()
    // How many waves: ceil(together / first_wave); 0 where none was counted
    int count() const { return first_wave > 0 ? (together + first_wave - 1) / first_wave : 0; }
};
// A row's waves, from its median batch's answers, its figures (answer_min, measured), its load.
Waves waves_of(const ConfigurationResult& r);
// "Your 10 requests were answered 6 together ...": why, in the exercise's words; empty when
// they took under 1.5 d (one wave, nothing to explain) or nothing measured explains it.
std::string waves_text(const Waves& w);

}  // namespace lab
