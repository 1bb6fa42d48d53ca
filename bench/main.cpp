// `build/bench/lab_bench`: every benchmark, then the figures beside the documents' claims.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "lab/awake_cpus.hpp"

namespace {

// Keeps each run's time per iteration (ns) and counters while printing as usual.
class ClaimsReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            std::string name = run.benchmark_name();
            ns[name] =
                run.GetAdjustedRealTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
            for (const auto& [key, counter] : run.counters)
                counters[name + "/" + key] = counter.value;
        }
    }
    std::map<std::string, double> ns, counters;
};

// A figure by its benchmark's name (or the start of it). With --benchmark_repetitions, Google
// Benchmark reports a _mean, _median, _stddev and _cv row for each (a name's _cv row comes first
// in order, and is a ratio, not a time): the median is the figure; with one run, that run's.
double find(const std::map<std::string, double>& m, const std::string& prefix) {
    double only_run = -1;
    for (const auto& [key, value] : m) {
        if (key.rfind(prefix, 0) != 0) continue;
        if (key.find("_median") != std::string::npos) return value;
        bool aggregate = key.find("_mean") != std::string::npos ||
                         key.find("_stddev") != std::string::npos ||
                         key.find("_cv") != std::string::npos;
        if (!aggregate && only_run < 0) only_run = value;
    }
    return only_run;
}

// The median of a benchmark's repetitions (the start-up benchmarks ask for five), in ms.
double median_ms(const std::map<std::string, double>& ns, const std::string& prefix) {
    double value = find(ns, prefix);
    return value < 0 ? -1 : value / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    // Measured as `lab run` measures: with idle CPUs kept awake where allowed (--let-cpus-sleep,
    // as for `lab run`, measures with the machine's idle states; a thread's wake-up then costs
    // several times more here).
    bool let_sleep = false;  // (Google Benchmark has taken its own flags out of argv)
    for (int i = 1; i < argc; ++i)
        let_sleep = let_sleep || std::strcmp(argv[i], "--let-cpus-sleep") == 0;
    lab::AwakeCpus awake{!let_sleep};
    ClaimsReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    auto us = [&](const char* name) { return find(reporter.ns, name) / 1000.0; };
    double async_kib = find(reporter.counters, "memory_per_waiting_request/async_sleep/");
    double thread_kib = find(reporter.counters, "memory_per_waiting_request/thread_pool_1000/");
    std::printf("\n%-58s | %s\n", "the documents' claim (004: Performance Characteristics)",
                "measured here");
    std::printf("%s\n", std::string(110, '-').c_str());
    const char* how = awake.held() ? "idle CPUs kept awake, as `lab run` measures"
                                   : "idle CPUs free to sleep (not root, or --let-cpus-sleep)";
    std::printf("%-58s | %s\n", "(how this machine was measured)", how);
    std::printf(
        "%-58s | coroutine resume %.3f us; two threads taking turns %.2f us;\n%-58s | pool "
        "hand-off and back %.2f us; "
        "thread start %.1f us; fork %.1f us\n",
        "\"context switching is cheaper than OS thread switching\"", us("coroutine_resume_on_loop"),
        us("thread_ping_pong"), "", us("pool_hand_off_and_back"), us("thread_start_and_join"),
        us("process_fork_and_wait"));
    std::printf("%-58s | per waiting request: %.1f KiB awaiting, %.1f KiB on a 1000-thread pool\n",
                "\"memory usage is lower than thread-per-request\"", async_kib, thread_kib);
    // The live view's goal (issue: under 1% of a makespan): four marks per request of d = 100 ms.
    double mark_us = us("live_mark");
    std::printf(
        "%-58s | a mark %.2f us; four per request %.1f us = %.3f %% of d = 100 ms (goal < 1 %%)\n",
        "what --live costs a server", mark_us, 4 * mark_us, 4 * mark_us / 100'000 * 100);
    auto start = [&](const char* mode) {
        return median_ms(reporter.ns, std::string("startup_to_first_answer/") + mode);
    };
    std::printf(
        "%-58s | blocking-in-loop %.2f, async-sleep %.2f, thread-pool %.2f, multi-process %.2f ms "
        "(goal <= 5)\n",
        "start-up: spawning `lab serve` to its first answer", start("blocking-in-loop"),
        start("async-sleep"), start("thread-pool"), start("multi-process"));
    std::printf("%-58s | %.2f ms (goal <= 3.5)\n", "`lab --version`, start to exit",
                median_ms(reporter.ns, "lab_version"));
    // c10k's goal (d + 0.10 s on one loop) beside what writing the answers alone costs here.
    double per_answer =
        find(reporter.counters,
             "answers_from_one_thread/9000/iterations:5/repeats:3/manual_time_median/");
    std::printf("%-58s | %.1f us an answer: d + %.3f s for 10,000 (goal: d + 0.10 s)\n",
                "c10k's floor: one thread writing answers over loopback", per_answer,
                per_answer * 10'000 / 1e6);
    // The fidelity lessons' (blocking-async, experiment-log): the first answer after d costs more.
    const std::string after_a_wait =
        "first_answer_after_a_wait/iterations:10/repeats:3/manual_time_median/";
    std::printf("%-58s | the first write %.1f us, the nine after it %.1f us each\n",
                "fidelity's floor: ten answers after 100 ms asleep",
                find(reporter.counters, after_a_wait + "first_us"),
                find(reporter.counters, after_a_wait + "next_us"));
    return 0;
}
