#include "harness/models.hpp"

#include <algorithm>

namespace lab {

Model model_of(const ServerShape& shape) {
    if (shape.sequential_client) return {0, 1, "N·d (one at a time)"};
    if (shape.mode == "blocking-in-loop") return {1, 0, "N·d"};
    if (shape.mode == "async-sleep") return {0, 0, "d"};
    if (shape.mode == "thread-pool")
        return {shape.threads, 0, "ceil(N/T)·d, T=" + std::to_string(shape.threads)};
    if (shape.mode == "multi-process") {
        if (shape.worker_mode == "blocking-in-loop")
            return {shape.workers, 0, "ceil(N/W)·d, W=" + std::to_string(shape.workers)};
        return {0, 0, "d"};
    }
    return {0, 0, "?"};
}

std::vector<double> predicted_finishes_s(const Model& model, const Workload& load) {
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
