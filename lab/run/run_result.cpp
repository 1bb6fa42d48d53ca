#include "lab/run/run_result.hpp"

#include <algorithm>

#include <unistd.h>

#include "lab/modes/modes.hpp"

namespace lab {

Workload workload_of(const Load& load) {
    // A background task's request waits for nothing: its answer is due at once.
    return {.requests = load.requests, .concurrency = load.concurrency, .d_s = load.background() ? 0.0 : load.delay_ms / 1000.0,
            .stagger_s = load.stagger_ms / 1000.0};
}

int cores() { return static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN))); }

Model model_of(const Configuration& c, const Load& load) {
    // BackgroundTasks' promise, in every mode: the answer goes before the work. Whether the work
    // then holds up other requests is what the run shows, beside this model.
    if (load.background() && find_mode(c.mode)) return {.formula = "≈ 0: answered 202 before its task runs"};
    if (load.websocket()) return {};  // held connections have no makespan to predict (the claims bound their ticks)
    // A queue: W workers take the jobs in turn, each a job at a time; computing, at most the cores at once.
    if (c.queued()) {
        bool computes = load.path == "/cpu";
        int w = c.queue_workers;
        return {.at_once = w, .shared_cores = computes && w > cores() ? cores() : 0,
                .formula = std::string(computes ? "ceil(N/W)·c" : "ceil(N/W)·d") + ", W=" + std::to_string(w) + " queue workers"};
    }
    Model m = model_of(ServerShape{.mode = c.mode, .threads = c.threads, .workers = c.workers, .worker_mode = c.worker_mode,
                                   .sequential_client = c.client == Client::sequential, .cpu_work = load.path == "/cpu",
                                   .gil = c.gil, .cores = cores(), .db_pool = load.path == "/db" ? c.db_pool : 0});
    // H hosts behind a balancer that spreads the burst evenly: H times what one host does at once.
    if (c.behind_nginx() && !m.formula.empty() && m.at_once > 0) {
        m.formula = m.at_once == 1 ? "ceil(N/H)·d, H=" + std::to_string(c.hosts)
                                   : "H=" + std::to_string(c.hosts) + " hosts, each " + m.formula;
        m.at_once *= c.hosts;
        if (load.path == "/cpu" && m.at_once > cores()) m.shared_cores = cores();
    }
    // The prediction lets staggered requests leave s apart; the formula says so too.
    if (load.stagger_ms > 0 && !m.formula.empty()) m.formula += ", sent s = " + std::to_string(load.stagger_ms) + " ms apart";
    return m;
}

std::vector<WeightedTarget> load_targets(const Load& load) {
    std::vector<WeightedTarget> targets{{load.path, 1}};
    for (const std::string& path : load.flags.more_paths) targets.push_back({path, 1});
    if (load.flags.weights.size() == targets.size())
        for (std::size_t i = 0; i < targets.size(); ++i) targets[i].weight = load.flags.weights[i];
    if (load.flags.target_methods.size() == targets.size())
        for (std::size_t i = 0; i < targets.size(); ++i) targets[i].method = load.flags.target_methods[i];
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
