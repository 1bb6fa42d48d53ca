#include "lab/report/exercise_waves.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <unistd.h>

#include "lab/figures/figure_value.hpp"

namespace lab {

int python_cpu_count() { return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN))); }

int default_executor_threads(int cpus) { return std::min(32, cpus + 4); }

// How many were answered together first: the answers by their time, up to the first gap of half
// the quickest answer or more (the next wave started only as a place came free).
int first_wave(const Batch& batch) {
    std::vector<std::int64_t> took;
    for (const RequestRecord& q : batch.requests)
        if (q.send_us >= 0 && q.end_us >= q.send_us) took.push_back(q.end_us - q.send_us);
    std::sort(took.begin(), took.end());
    for (std::size_t i = 1; i < took.size(); ++i)
        if (took[i] - took[i - 1] >= took[0] / 2) return static_cast<int>(i);
    return static_cast<int>(took.size());
}

Waves waves_of(const ConfigurationResult& r) {
    return {
        .together = std::min(r.load.requests, r.load.concurrency),
        .first_wave = r.median_batch < r.batches.size() ? first_wave(r.batches[r.median_batch]) : 0,
        .delay_s = r.load.delay_ms / 1000.0,
        .answer_s = r.figure(Figure::answer_min).value_or(0) / 1000.0,
        .measured_s = r.makespan.median,
        .cpus = python_cpu_count()};
}

namespace {

// What lets only `first_wave` wait at a time: a pool the lab knows by its size, else the app's.
std::string cause_of(const Waves& w) {
    const int threads = default_executor_threads(w.cpus);
    if (w.first_wave == threads)
        return fmt::format(
            "{} is the threads of asyncio's default executor, min(32, cores + 4) with this "
            "machine's {} cores, where asyncio.to_thread and run_in_executor(None, ...) wait. That "
            "is a right answer: the loop stays free while they wait. For one wave, give the loop "
            "an executor as large as the requests that arrive together "
            "(loop.set_default_executor), or await the call itself (an async client).",
            threads, w.cpus);
    if (w.first_wave == anyio_default_tokens)
        return fmt::format(
            "{} is AnyIO's thread tokens for `def` routes, all taken: each wave is its threads.",
            anyio_default_tokens);
    return fmt::format(
        "No pool the lab knows has {} (asyncio's default executor has {} threads here, AnyIO lends "
        "{} tokens): something of the app's lets only {} wait at a time (a lock, a pool of its "
        "own, turns for the GIL). `lab doctor` measures where each request's time went.",
        w.first_wave, threads, anyio_default_tokens, w.first_wave);
}

}  // namespace

std::string waves_text(const Waves& w) {
    if (w.delay_s <= 0 || w.together < 2 || w.first_wave < 1 || w.measured_s < 1.5 * w.delay_s)
        return "";
    const std::string each = fmt::format("each at least {:.0f} ms, d being {:.0f} ms",
                                         w.answer_s * 1000, w.delay_s * 1000);
    const std::string answered = w.first_wave == 1
                                     ? "one at a time"
                                     : fmt::format("{} together, then the rest", w.first_wave);
    if (w.first_wave < w.together)
        return fmt::format(
                   "Your {} requests were answered {}: ceil({} / {}) = {} waves, {}, "
                   "{:.3f} s in all. ",
                   w.together, answered, w.together, w.first_wave, w.count(), each, w.measured_s) +
               cause_of(w);
    if (w.answer_s < 1.2 * w.delay_s) return "";
    return fmt::format(
        "All {} requests were answered together, {}: what each request does of its own beyond d "
        "(a connection made for each, say) made the batch take {:.3f} s.",
        w.together, each, w.measured_s);
}

}  // namespace lab
