#include "harness/models.hpp"

#include <algorithm>

namespace lab {

Model model_of(const ServerShape& shape) {
    if (shape.sequential_client) return {1, "N·d (one at a time)"};
    if (shape.mode == "blocking-in-loop") return {1, "N·d"};
    if (shape.mode == "async-sleep") return {0, "d"};
    if (shape.mode == "thread-pool") return {shape.threads, "ceil(N/T)·d, T=" + std::to_string(shape.threads)};
    if (shape.mode == "multi-process") {
        if (shape.worker_mode == "blocking-in-loop")
            return {shape.workers, "ceil(N/W)·d, W=" + std::to_string(shape.workers)};
        return {0, "d"};
    }
    return {0, "?"};
}

namespace {
int slots(const Model& model, int concurrency) {
    return std::max(1, model.at_once == 0 ? concurrency : std::min(model.at_once, concurrency));
}
}  // namespace

double predicted_makespan_s(const Model& model, int requests, int concurrency, double d_s) {
    int k = slots(model, concurrency);
    return static_cast<double>((requests + k - 1) / k) * d_s;
}

double predicted_finish_s(const Model& model, int i, int concurrency, double d_s) {
    return static_cast<double>(i / slots(model, concurrency) + 1) * d_s;
}

}  // namespace lab
