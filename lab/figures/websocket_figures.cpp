#include "lab/figures/websocket_figures.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/statistics.hpp"

namespace lab {
namespace {

// Each client's worst tick lateness in one batch, in ms: how long the loop kept that client's
// latest tick from it. The lesson's point is that a blocked loop holds back every client's.
std::vector<double> worst_per_client(const Batch& b) {
    std::map<int, std::int64_t> worst_us;
    for (const RequestRecord& q : b.requests)
        if (q.ok()) worst_us[q.connection] = std::max(worst_us[q.connection], q.latency_us());
    std::vector<double> ms;
    for (auto [client, us] : worst_us) ms.push_back(static_cast<double>(us) / 1000.0);
    return ms;
}

// The WebSockets open through the whole batch: those that read a tick and never failed.
int held_through(const Batch& b) {
    std::set<int> read, failed;
    for (const RequestRecord& q : b.requests) (q.ok() ? read : failed).insert(q.connection);
    return static_cast<int>(
        std::count_if(read.begin(), read.end(), [&](int c) { return !failed.contains(c); }));
}

}  // namespace

std::optional<double> websocket_figure(Figure figure, const ConfigurationResult& r) {
    if (r.batches.empty()) return std::nullopt;
    if (figure == Figure::connections_held) {
        int fewest = held_through(r.batches.front());
        for (const Batch& b : r.batches) fewest = std::min(fewest, held_through(b));
        return fewest;
    }
    if (figure == Figure::memory_per_connection) {  // (pss_kib was read while the last batch's
                                                    // connections were held)
        const int held = held_through(r.batches.back());
        if (r.pss_kib < 0 || r.pss_before_kib < 0 || held == 0) return std::nullopt;
        return static_cast<double>(r.pss_kib - r.pss_before_kib) / held;
    }
    if (figure == Figure::reply_min) {  // (the message's record is each batch's one probe:
                                        // harness/websocket_load.hpp)
        std::vector<double> ms;
        for (const Batch& b : r.batches)
            for (const RequestRecord& message : b.probes)
                if (message.ok()) ms.push_back(static_cast<double>(message.latency_us()) / 1000.0);
        if (ms.empty()) return std::nullopt;
        return *std::min_element(ms.begin(), ms.end());
    }
    std::vector<double> worst;
    for (const Batch& b : r.batches)
        for (double ms : worst_per_client(b)) worst.push_back(ms);
    if (worst.empty()) return std::nullopt;
    if (figure == Figure::tick_late_p50) return percentile(worst, 50);
    if (figure == Figure::tick_late_p99) return percentile(worst, 99);
    return percentile(worst, 100);  // tick_late_max
}

}  // namespace lab
