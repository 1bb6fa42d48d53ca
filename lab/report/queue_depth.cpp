#include "lab/report/queue_depth.hpp"

#include <algorithm>

#include "lab/layout.hpp"

namespace lab {

std::vector<QueueDepth> queue_depths(const RunResult& run) {
    std::vector<QueueDepth> all;
    for (const auto& r : run.configurations) {
        if (!r.configuration.queued() || r.batches.empty()) continue;
        const Batch& b = r.batches[r.median_batch];
        std::int64_t t0 = INT64_MAX;
        // +1 when queued, -1 when a worker took it
        std::vector<std::pair<std::int64_t, int>> events;
        for (const RequestRecord& q : b.requests) {
            if (q.send_us >= 0) t0 = std::min(t0, q.send_us);
            if (q.job_queued_us < 0) continue;
            events.push_back({q.job_queued_us, +1});
            if (q.server_start_us >= 0) events.push_back({q.server_start_us, -1});
        }
        if (t0 == INT64_MAX) continue;
        std::sort(events.begin(), events.end());
        QueueDepth d{r.configuration.label, {{0, 0}}, 0};
        int depth = 0;
        for (auto [at, change] : events) {
            depth = std::max(0, depth + change);
            d.steps.push_back({at - t0, depth});
            d.most = std::max(d.most, depth);
        }
        all.push_back(std::move(d));
    }
    return all;
}

std::string queue_depth_text(const std::vector<QueueDepth>& depths, std::int64_t axis_us,
                             int columns) {
    if (depths.empty() || axis_us <= 0) return "";
    const int slices = std::max(10, columns - 4);
    std::string out = wrap("Jobs waiting in the queue (median batch; the most in each " +
                               fixed(static_cast<double>(axis_us) / slices / 1000.0, 0) +
                               " ms, on the timelines' axis of " + seconds_text(axis_us) + "):",
                           columns);
    for (const auto& d : depths) {
        out += wrap(d.label, columns);
        std::string row = "    ";
        for (int s = 0; s < slices; ++s) {
            std::int64_t from = axis_us * s / slices, to = axis_us * (s + 1) / slices;
            int most = -1;  // the depth at the slice's start, and every step within it
            for (std::size_t i = 0; i < d.steps.size(); ++i) {
                std::int64_t begins = d.steps[i].first,
                             ends = i + 1 < d.steps.size() ? d.steps[i + 1].first : INT64_MAX;
                if (begins < to && ends > from) most = std::max(most, d.steps[i].second);
            }
            row += most <= 0 ? "·" : most > 9 ? "+" : std::string(1, static_cast<char>('0' + most));
        }
        out += row + "\n";
    }
    return out;
}

}  // namespace lab
