#include "lab/run/run_result.hpp"

#include <algorithm>

#include <unistd.h>

#include "lab/modes/modes.hpp"

namespace lab {

Workload workload_of(const Load& load) {
    // A background task's request waits for nothing: its answer is due at once.
    return {.requests = load.requests,
            .concurrency = load.concurrency,
            .d_s = load.background() ? 0.0 : load.delay_ms / 1000.0,
            .stagger_s = load.stagger_ms / 1000.0,
            .computes = load.path == "/cpu"};
}

int cores() { return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN))); }

namespace {

// The configuration and its load in the model's terms; the model itself is lab/modes/model.cpp's.
Model model_of(const Configuration& c, const Load& load) {
    // held connections have no makespan to predict (the claims bound their ticks)
    if (load.websocket()) return {};
    return model_of(ServerShape{.mode = c.mode,
                                .threads = c.threads,
                                .workers = c.workers,
                                .worker_mode = c.worker_mode,
                                .sequential_client = c.client == Client::sequential,
                                .cpu_work = load.path == "/cpu",
                                .gil = c.gil,
                                .cores = cores(),
                                .db_pool = load.path == "/db" ? c.db_pool : 0,
                                .queue_workers = c.queue_workers,
                                .hosts = c.hosts,
                                .background = load.background(),
                                .stagger_ms = load.stagger_ms});
}

}  // namespace

ConfigurationResult planned(const Configuration& c, const Load& scenario_load) {
    ConfigurationResult row;
    row.configuration = c;
    row.load = load_of(scenario_load, c);
    row.model = model_of(c, row.load);
    row.model_s = predicted_makespan_s(row.model, workload_of(row.load));
    return row;
}

std::vector<WeightedTarget> load_targets(const Load& load) {
    std::vector<WeightedTarget> targets{{load.path, 1}};
    for (const std::string& path : load.flags.more_paths) targets.push_back({path, 1});
    if (load.flags.weights.size() == targets.size())
        for (std::size_t i = 0; i < targets.size(); ++i) targets[i].weight = load.flags.weights[i];
    if (load.flags.target_methods.size() == targets.size())
        for (std::size_t i = 0; i < targets.size(); ++i)
            targets[i].method = load.flags.target_methods[i];
    return targets;
}

bool RunResult::ok() const {
    return std::ranges::all_of(configurations, [](const ConfigurationResult& c) {
        return c.error.empty() &&
               std::ranges::none_of(c.batches, [](const BatchRecord& b) { return b.stats.failed; });
    });
}

std::string RunResult::failure() const {
    std::string said;
    auto add = [&](const std::string& one) {
        if (!one.empty()) said += (said.empty() ? "" : "; ") + one;
    };
    for (const auto& c : configurations) {
        const std::string& row = c.configuration.label;
        if (!c.error.empty()) add(row + " did not run: " + c.error);
        if (c.load.websocket()) continue;  // (held connections: what they read is the claims')
        for (const BatchRecord& b : c.batches)
            add(mostly_unanswered(
                b, row + (c.batches.size() > 1 ? " batch " + std::to_string(b.number) : "")));
    }
    return said;
}

}  // namespace lab
