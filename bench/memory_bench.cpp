// Memory per waiting request, measured on running `lab serve` processes: the server's resident
// memory (RSS) while 1,000 requests wait in it, less that of an idle server, per request.
#include <benchmark/benchmark.h>

#include <fstream>
#include <thread>

#include "harness/load_generator.hpp"
#include "lab/run/server_process.hpp"

namespace {

constexpr int waiting = 1000;

long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string key; status >> key;) {
        if (key == "VmRSS:") {
            long kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(1 << 12, '\n');
    }
    return -1;
}

long idle_server_rss_kib() {
    lab::ServerProcess idle(LAB_BINARY, {"--mode", "async-sleep"});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return rss_kib(idle.pid());
}

void memory_per_waiting_request(benchmark::State& state, std::vector<std::string> serve_args) {
    const long idle = idle_server_rss_kib();
    for (auto _ : state) {
        lab::ServerProcess server(LAB_BINARY, serve_args);
        lab::LoadSpec spec;
        spec.host = server.host();
        spec.port = server.port();
        spec.target = "/delay?ms=1500";
        spec.requests = spec.concurrency = waiting;
        int answered = 0;
        std::thread load([&] {
            for (const auto& r : lab::run_concurrent_batch(spec).requests) answered += r.ok();
        });
        long peak = 0;
        for (int i = 0; i < 100 && peak >= 0; ++i) {  // 2 s of samples, the waits last 1.5 s
            peak = std::max(peak, rss_kib(server.pid()));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        load.join();
        state.counters["answered"] = answered;
        state.counters["idle_server_KiB"] = static_cast<double>(idle);
        state.counters["peak_KiB"] = static_cast<double>(peak);
        state.counters["KiB_per_waiting_request"] = static_cast<double>(peak - idle) / waiting;
    }
}

BENCHMARK_CAPTURE(memory_per_waiting_request, async_sleep,
                  std::vector<std::string>{"--mode", "async-sleep"})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(memory_per_waiting_request, thread_pool_1000,
                  std::vector<std::string>{"--mode", "thread-pool", "--threads", "1000"})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
