#include "lab/figures/websocket_figures.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "harness/statistics.hpp"
#include "harness/websocket_load.hpp"

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

// Whether the server (or the way to it) ended this client's WebSocket: it never opened, or was
// closed or broken before the end. Not a message the lab would not keep (over its limit: the lab
// closed it), nor one that was no tick, nor silence: the server still held those open.
bool dropped(const RequestRecord& q) {
    return q.error == ErrorKind::connect || q.error == ErrorKind::read;
}

// The WebSockets open through the whole batch: those with a record (each client has one) and
// none of them dropped.
int held_through(const Batch& b) {
    std::set<int> seen, lost;
    for (const RequestRecord& q : b.requests) (dropped(q) ? lost : seen).insert(q.connection);
    return static_cast<int>(
        std::count_if(seen.begin(), seen.end(), [&](int c) { return !lost.contains(c); }));
}

}  // namespace

std::string why_no_tick(const ConfigurationResult& r) {
    std::map<ErrorKind, int> kinds;
    std::string first;
    for (const Batch& b : r.batches) {
        for (const RequestRecord& q : b.requests) ++kinds[q.error];
        if (first.empty()) first = b.foreign_message;
    }
    std::string said = "no tick (text: {\"tick\":K,\"due_us\":…,\"every_us\":…}) was read";
    if (kinds[ErrorKind::status] > 0)
        said += "; your app sent " + std::to_string(kinds[ErrorKind::status]) + " other messages" +
                (first.empty() ? "" : " (the first: " + first + ")");
    if (kinds[ErrorKind::body_over_limit] > 0)
        said += "; " + std::to_string(kinds[ErrorKind::body_over_limit]) +
                " clients were sent a message over the " +
                std::to_string(most_websocket_message >> 10) +
                " KiB the lab reads of one, and closed by the lab";
    if (kinds[ErrorKind::timeout] > 0)
        said += "; " + std::to_string(kinds[ErrorKind::timeout]) + " clients read nothing";
    return said;
}

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
