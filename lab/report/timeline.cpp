#include "lab/report/timeline.hpp"

#include <algorithm>
#include <cstdio>

#include "lab/report/report.hpp"

namespace lab {
namespace {

std::string seconds(std::int64_t us) {
    char text[24];
    std::snprintf(text, sizeof text, "%.3f s", static_cast<double>(us) / 1e6);
    return text;
}

}  // namespace

TimelineRows timeline_rows(const Batch& batch, std::size_t most) {
    std::vector<const RequestRecord*> all;
    for (const auto& r : batch.requests) all.push_back(&r);
    auto began = [](const RequestRecord* r) { return r->has_server_stamps() ? r->server_start_us : r->send_us; };
    std::stable_sort(all.begin(), all.end(), [&](auto a, auto b) { return began(a) < began(b); });
    TimelineRows t;
    t.total = all.size();
    std::int64_t first = INT64_MAX;
    for (const auto* r : all) {
        if (r->send_us >= 0) first = std::min(first, r->send_us);
        t.t1 = std::max(t.t1, r->end_us);
    }
    t.t0 = first == INT64_MAX ? 0 : first;
    std::size_t shown = std::min(most, all.size());
    for (std::size_t i = 0; i < shown; ++i) {
        std::size_t at = shown < 2 ? 0 : i * (all.size() - 1) / (shown - 1);  // first and last always
        t.rows.push_back({all[at], at});
    }
    return t;
}

std::string timeline(const ConfigurationResult& result, const Load& load, int columns) {
    const Batch& batch = result.batches[result.median_batch];
    TimelineRows t = timeline_rows(batch, 40);
    const std::int64_t t0 = t.t0, t1 = t.t1;
    if (t1 <= t0) return "";
    auto column = [&](std::int64_t us) {
        return std::clamp<int>(static_cast<int>((us - t0) * columns / (t1 - t0)), 0, columns);
    };

    std::string out = result.configuration.label + " (" + result.configuration.mode +
                      "), batch " + std::to_string(batch.number) +
                      " (the median): ░ sent, waiting for the server   █ being served\n";
    if (t.rows.size() < t.total)
        out += "(" + std::to_string(t.rows.size()) + " of its " + std::to_string(t.total) + " requests, evenly spaced)\n";
    out += std::string(12, ' ') + "0 s" + std::string(static_cast<std::size_t>(columns - 3), ' ') +
           seconds(t1 - t0) + "\n";
    const std::vector<double> model = predicted_finishes_s(result.model, workload_of(load));
    for (const auto& [r, position] : t.rows) {
        char label[16];
        std::snprintf(label, sizeof label, "req %3d  |", r->index);
        std::string bar;
        int send = column(r->send_us), end = column(r->end_us);
        // Waiting until the server begins it; from then on (the answer's trip included) served.
        int start = r->has_server_stamps() ? column(r->server_start_us) : send;
        for (int c = 0; c < columns; ++c)
            bar += c < send || c >= std::max(end, send + 1) ? " " : c >= start ? "█" : "░";
        out += label + bar + "|  ";
        if (!r->ok()) {
            out += "failed: " + std::string(to_string(r->error)) + "\n";
            continue;
        }
        char tail[96];
        if (result.model.formula.empty())
            std::snprintf(tail, sizeof tail, "done %s", seconds(r->end_us - t0).c_str());
        else
            std::snprintf(tail, sizeof tail, "done %s   model %.3f s", seconds(r->end_us - t0).c_str(),
                          position < model.size() ? model[position] : 0.0);
        out += tail;
        if (served_by_workers(result.configuration) && r->worker_pid >= 0)
            out += "   worker " + std::to_string(r->worker_pid);
        out += "\n";
    }
    return out;
}

}  // namespace lab
