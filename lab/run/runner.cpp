#include "lab/run/runner.hpp"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "lab/run/server_process.hpp"

namespace lab {
namespace {

std::vector<std::string> serve_args(const Configuration& c) {
    std::vector<std::string> args{"--mode", c.mode};
    if (c.mode == "thread-pool") args.insert(args.end(), {"--threads", std::to_string(c.threads)});
    if (c.gil) args.push_back("--gil");
    if (c.mode == "multi-process")
        args.insert(args.end(), {"--workers", std::to_string(c.workers), "--balance", c.balance,
                                 "--worker-mode", c.worker_mode});
    return args;
}

// The server's own account since the last reset: how late its loop ran at worst, and how many
// threads computed at one moment (-1 where it won't say).
std::pair<double, int> server_account(httplib::Client& stats) {
    auto res = stats.Get("/stats");
    if (!res || res->status != 200) return {-1, -1};
    auto json = nlohmann::json::parse(res->body, nullptr, false);
    if (!json.is_object()) return {-1, -1};
    return {json.value("max_loop_lag_ms", -1.0), json.value("max_computing_at_once", -1)};
}

ConfigurationResult run_configuration(const Scenario& s, const Configuration& c,
                                      const RunSettings& settings) {
    ConfigurationResult result;
    result.configuration = c;
    result.model = model_of(c, s.load);
    result.model_s = predicted_makespan_s(result.model, workload_of(s.load));
    try {
        ServerProcess server(settings.server_binary, serve_args(c));
        LoadSpec spec;
        spec.host = server.host();
        spec.port = server.port();
        spec.method = s.load.method;
        spec.target = s.load.path + "?ms=" + std::to_string(s.load.delay_ms);
        spec.requests = s.load.requests;
        spec.concurrency = s.load.concurrency;
        spec.stagger = std::chrono::milliseconds(s.load.stagger_ms);
        spec.probe_target = s.load.probe_path;
        spec.probe_every = std::chrono::milliseconds(s.load.probe_every_ms);
        auto send = c.client == "sequential" ? run_sequential_batch : run_concurrent_batch;

        httplib::Client stats(server.host(), server.port());
        send(spec, 0);  // warm-up: first connections, first allocations, page faults
        for (int k = 1; k <= s.load.repeat; ++k) {
            if (settings.progress)
                std::fprintf(stderr, "  %-40s batch %d/%d\n", c.label.c_str(), k, s.load.repeat);
            stats.Get("/stats?reset=1");
            result.batches.push_back(send(spec, k));
            result.stats.push_back(summarize(result.batches.back()));
            auto [lag_ms, computing] = server_account(stats);
            result.loop_lag_ms.push_back(lag_ms);
            result.max_computing.push_back(computing);
        }
        server.stop();
        result.server_log = server.log();
    } catch (const std::exception& e) {
        result.error = e.what();
        return result;
    }
    std::vector<double> makespans;
    for (const auto& st : result.stats) makespans.push_back(st.makespan_s);
    result.makespan = spread_of(makespans);
    // The batch nearest the median (for an even count, the lower middle one).
    std::vector<std::size_t> order(makespans.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return makespans[a] < makespans[b]; });
    result.median_batch = order[(order.size() - 1) / 2];
    result.verdict = verdict(result.stats[result.median_batch], s.load.requests, s.load.concurrency);
    if (s.load.path == "/cpu" && result.max_computing[result.median_batch] > 0)
        result.verdict += "; computing " + std::to_string(result.max_computing[result.median_batch]) + " at once";
    return result;
}

}  // namespace

Scenario apply(Scenario s, const Overrides& o) {
    if (o.requests) s.load.requests = *o.requests;
    if (o.concurrency) s.load.concurrency = *o.concurrency;
    if (o.delay_ms) s.load.delay_ms = *o.delay_ms;
    if (o.repeat) s.load.repeat = *o.repeat;
    for (auto& c : s.configurations) {
        if (o.threads) c.threads = *o.threads;
        if (o.workers) c.workers = *o.workers;
        if (o.balance) c.balance = *o.balance;
    }
    return s;
}

Workload workload_of(const Load& load) {
    return {load.requests, load.concurrency, load.delay_ms / 1000.0, load.stagger_ms / 1000.0};
}

int cores() { return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN))); }

Model model_of(const Configuration& c, const Load& load) {
    return model_of(ServerShape{c.mode, c.threads, c.workers, c.worker_mode, c.client == "sequential",
                                load.path == "/cpu", c.gil, cores()});
}

bool RunResult::ok() const {
    for (const auto& c : configurations) {
        if (!c.error.empty()) return false;
        for (const auto& st : c.stats)
            if (st.failed > 0) return false;
    }
    return true;
}

RunResult run_scenario(const Scenario& scenario, const RunSettings& settings) {
    RunResult run{scenario, {}};
    for (const Configuration& c : scenario.configurations)
        run.configurations.push_back(run_configuration(scenario, c, settings));
    return run;
}

}  // namespace lab
