#include "lab/report/exercise_waves.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include <unistd.h>

#include "lab/layout.hpp"

namespace lab {

int python_cpu_count() { return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN))); }

int default_executor_threads(int cpus) { return std::min(32, cpus + 4); }

bool uses_default_executor(const std::string& source) {
    static const std::regex call(R"(\bto_thread\s*\(|\brun_in_executor\s*\(\s*None\b)");
    return std::regex_search(source, call);
}

std::string waves_text(const Waves& w) {
    if (w.delay_s <= 0 || w.together < 2 || w.measured_s < 1.5 * w.delay_s) return "";
    const long waves = std::lround(w.measured_s / w.delay_s);
    const int threads = default_executor_threads(w.cpus);
    const int executor_waves = (w.together + threads - 1) / threads;
    const std::string n = std::to_string(w.together), d = fixed(w.delay_s * 1000.0, 0) + " ms";
    std::string text = "Your " + n + " requests took " + fixed(w.measured_s, 3) + " s, about " +
                       std::to_string(waves) + " waves of d (" + d +
                       "): they waited together, but not all " + n + " at once. ";
    const std::string executor =
        "the loop's default executor, whose threads number min(32, cores + 4): " +
        std::to_string(threads) + " with this machine's " + std::to_string(w.cpus) +
        (w.cpus == 1 ? " core" : " cores");
    const std::string sum = "ceil(" + n + " / " + std::to_string(threads) +
                            ") = " + std::to_string(executor_waves) +
                            (executor_waves == 1 ? " wave" : " waves");
    if (w.default_executor) {
        text += "asyncio.to_thread (and run_in_executor(None, ...)) waits in " + executor +
                ", so " + n + " requests wait in " + sum +
                (executor_waves == waves ? ", as here."
                                         : "; this run's " + std::to_string(waves) +
                                               " are more: a busy machine, or another pool.");
        return text +
               " That is a right answer: the loop stays free while they wait. For one wave, give "
               "the loop an executor as large as "
               "the requests that arrive together (loop.set_default_executor), or await "
               "asyncio.sleep.";
    }
    // Never "a pool, full" unless one could be: N requests cannot fill AnyIO's 40 tokens.
    if (w.together <= anyio_default_tokens)
        return text + "No pool of threads was full: AnyIO's " +
               std::to_string(anyio_default_tokens) + " thread tokens outnumber your " + n +
               " requests, and the code calls no asyncio.to_thread. Something else let only "
               "some wait at a time (a lock, a pool of its own, turns for the GIL): `lab doctor` "
               "measures where each request's time went.";
    return text + "AnyIO's " + std::to_string(anyio_default_tokens) +
           " thread tokens are fewer than your " + n +
           " requests: each wave is its threads, full. (asyncio.to_thread's pool is " + executor +
           ", " + sum + " for " + n + " requests.)";
}

}  // namespace lab
