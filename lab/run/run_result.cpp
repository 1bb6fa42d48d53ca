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

// The configuration and its load in the model's terms; the model itself is lab/modes/model.cpp's.
Model model_of(const Configuration& c, const Load& load) {
    if (load.websocket())
        return {};  // held connections have no makespan to predict (the claims bound their ticks)
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

double model_makespan_s(const Configuration& c, const Load& scenario_load) {
    const Load own = load_of(scenario_load, c);
    return predicted_makespan_s(model_of(c, own), workload_of(own));
}

bool document_below_floor(const Configuration& c, const Load& load, int cores) {
    return c.document_s && *c.document_s < physical_floor_s(workload_of(load), cores) * 0.999;
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
    for (const auto& c : configurations) {
        if (!c.error.empty()) return false;
        for (const auto& st : c.stats)
            if (st.failed > 0) return false;
    }
    return true;
}

}  // namespace lab
