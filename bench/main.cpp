// `build/bench/lab_bench`: every benchmark, then the figures beside the documents' claims.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

namespace {

// Keeps each run's time per iteration (ns) and counters while printing as usual.
class ClaimsReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            std::string name = run.benchmark_name();
            ns[name] = run.GetAdjustedRealTime() * (run.time_unit == benchmark::kMillisecond ? 1e6 : 1);
            for (const auto& [key, counter] : run.counters) counters[name + "/" + key] = counter.value;
        }
    }
    std::map<std::string, double> ns, counters;
};

double find(const std::map<std::string, double>& m, const std::string& prefix) {
    for (const auto& [key, value] : m)
        if (key.rfind(prefix, 0) == 0) return value;
    return -1;
}

// The median of a benchmark's repetitions, in ms.
double median_ms(const std::map<std::string, double>& ns, const std::string& prefix) {
    for (const auto& [key, value] : ns)
        if (key.rfind(prefix, 0) == 0 && key.ends_with("_median")) return value / 1e6;
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    ClaimsReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    auto us = [&](const char* name) { return find(reporter.ns, name) / 1000.0; };
    double async_kib = find(reporter.counters, "memory_per_waiting_request/async_sleep/");
    double thread_kib = find(reporter.counters, "memory_per_waiting_request/thread_pool_1000/");
    std::printf("\n%-58s | %s\n", "the documents' claim (004: Performance Characteristics)", "measured here");
    std::printf("%s\n", std::string(110, '-').c_str());
    std::printf("%-58s | coroutine resume %.3f us; two threads taking turns %.2f us;\n%-58s | pool hand-off and back %.2f us; "
                "thread start %.1f us; fork %.1f us\n",
                "\"context switching is cheaper than OS thread switching\"", us("coroutine_resume_on_loop"),
                us("thread_ping_pong"), "", us("pool_hand_off_and_back"), us("thread_start_and_join"),
                us("process_fork_and_wait"));
    std::printf("%-58s | per waiting request: %.1f KiB awaiting, %.1f KiB on a 1000-thread pool\n",
                "\"memory usage is lower than thread-per-request\"", async_kib, thread_kib);
    // The live view's goal (issue: under 1% of a makespan): four marks per request of d = 100 ms.
    double mark_us = us("live_mark");
    std::printf("%-58s | a mark %.2f us; four per request %.1f us = %.3f %% of d = 100 ms (goal < 1 %%)\n",
                "what --live costs a server", mark_us, 4 * mark_us, 4 * mark_us / 100'000 * 100);
    auto start = [&](const char* mode) { return median_ms(reporter.ns, std::string("startup_to_first_answer/") + mode); };
    std::printf("%-58s | blocking-in-loop %.2f, async-sleep %.2f, thread-pool %.2f, multi-process %.2f ms (goal <= 5)\n",
                "start-up: spawning `lab serve` to its first answer", start("blocking-in-loop"), start("async-sleep"),
                start("thread-pool"), start("multi-process"));
    std::printf("%-58s | %.2f ms (goal <= 3.5)\n", "`lab --version`, start to exit", median_ms(reporter.ns, "lab_version"));
    // c10k's goal (d + 0.10 s on one loop) beside what writing the answers alone costs here.
    double per_answer = find(reporter.counters, "answers_from_one_thread/9000/iterations:5/repeats:3/manual_time_median/");
    std::printf("%-58s | %.1f us an answer: d + %.3f s for 10,000 (goal: d + 0.10 s)\n",
                "c10k's floor: one thread writing answers over loopback", per_answer, per_answer * 10'000 / 1e6);
    return 0;
}
