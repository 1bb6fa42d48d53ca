#include "harness/models.hpp"

#include <algorithm>

namespace lab {

namespace {
// Threads that share cores: every request of a wave runs at once, preempted in turns, and the
// wave ends when the cores have done all of its work (or after c, if there are cores to spare).
std::vector<double> shared_core_finishes(const Model& model, const Workload& load) {
    int per_wave = std::max(1, std::min({model.at_once, load.requests, load.concurrency}));
    std::vector<double> finishes;
    double wave_start = 0;
    for (int left = load.requests; left > 0; left -= per_wave) {
        int n = std::min(left, per_wave);
        double end = wave_start + std::max(load.d_s, n * load.d_s / model.shared_cores);
        finishes.insert(finishes.end(), static_cast<std::size_t>(n), end);
        wave_start = end;
    }
    return finishes;
}
}  // namespace

std::vector<double> predicted_finishes_s(const Model& model, const Workload& load) {
    if (model.shared_cores > 0) return shared_core_finishes(model, load);
    int connections = std::min(load.concurrency, load.requests);
    if (model.client_at_once > 0) connections = std::min(connections, model.client_at_once);
    int slots = model.at_once > 0 ? model.at_once : std::max(1, load.requests);
    std::vector<double> connection_free(static_cast<std::size_t>(std::max(1, connections)));
    for (std::size_t c = 0; c < connection_free.size(); ++c)
        connection_free[c] = static_cast<double>(c) * load.stagger_s;
    std::vector<double> slot_free(static_cast<std::size_t>(slots), 0.0);
    std::vector<double> finishes;
    for (int i = 0; i < load.requests; ++i) {
        auto connection = std::min_element(connection_free.begin(), connection_free.end());
        auto slot = std::min_element(slot_free.begin(), slot_free.end());
        double finish = std::max(*connection, *slot) + load.d_s;
        *connection = *slot = finish;
        finishes.push_back(finish);
    }
    std::sort(finishes.begin(), finishes.end());
    return finishes;
}

double predicted_makespan_s(const Model& model, const Workload& load) {
    auto finishes = predicted_finishes_s(model, load);
    return finishes.empty() ? 0 : finishes.back();
}

}  // namespace lab
