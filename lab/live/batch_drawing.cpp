// The running batch as the live page is told it (batch_drawing.hpp).
#include "lab/live/batch_drawing.hpp"

#include <algorithm>
#include <utility>

namespace lab {

using json = nlohmann::json;

namespace {
double seconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }
}  // namespace

// The bar of request `index`, or none: a batch of N > 200 draws every ceil(N/200)-th request,
// so the bars span the whole run (an open loop's stall comes late); a timed batch, the first 200.
std::optional<int> BatchDrawing::row_of(int index) const {
    if (index % stride_ != 0 || index / stride_ >= live_drawn_requests) return std::nullopt;
    return index / stride_;
}

// The count of the batch's answers, at most every 100 ms of the batch's own time (so that a
// replay of its records counts as the run did), and always when `final`: the batch is over.
std::optional<json> BatchDrawing::count_event(bool final, std::int64_t at_us) {
    if (!final && at_us - last_count_us_ < 100'000) return std::nullopt;
    last_count_us_ = at_us;
    return json{{"type", "count"},
                {"c", configuration_},
                {"answered", answered_in_batch_},
                {"final", final}};
}

json BatchDrawing::configuration(int k, int batches) {
    std::lock_guard lock(m_);
    configuration_ = k;
    batches_ = batches;
    drawn_on_port_.clear();  // (a sequential client has no batch_started to clear it)
    return {{"type", "configuration"}, {"c", k}};
}

json BatchDrawing::batch_started(int batch, std::int64_t origin_us, int requests) {
    std::lock_guard lock(m_);
    origin_us_ = origin_us;
    drawn_on_port_.clear();
    stride_ = std::max(1, (requests + live_drawn_requests - 1) / live_drawn_requests);
    answered_in_batch_ = 0;
    last_count_us_ = -100'000;  // (the first answer is counted)
    return {{"type", "batch"}, {"c", configuration_},  {"batch", batch},
            {"of", batches_},  {"requests", requests}, {"stride", stride_}};
}

std::optional<json> BatchDrawing::sent(int index, std::int64_t at_us, int port) {
    std::lock_guard lock(m_);
    std::optional<int> row = row_of(index);
    if (!row) {  // not drawn: the server's marks on this connection are now about no bar
        drawn_on_port_.erase(port);
        return std::nullopt;
    }
    drawn_on_port_[port] = {*row, at_us};
    return json{
        {"type", "sent"}, {"c", configuration_}, {"i", *row}, {"n", index}, {"t", seconds(at_us)}};
}

std::vector<json> BatchDrawing::answered(const RequestRecord& r) {
    std::lock_guard lock(m_);
    ++answered_in_batch_;
    std::vector<json> events;
    if (std::optional<int> row = row_of(r.index)) {
        json& event = events.emplace_back(json{{"type", "answered"},
                                               {"c", configuration_},
                                               {"i", *row},
                                               {"t", seconds(r.end_us)},
                                               {"ok", r.ok()},
                                               {"status", r.status}});
        if (r.has_server_stamps()) {  // the answer's own stamps, should a mark have been lost
            event["start"] = seconds(r.server_start_us);
            event["end"] = seconds(r.server_end_us);
        }
    }
    // (after the answer it counts, so that a replay hands it on with it)
    if (std::optional<json> count = count_event(false, r.end_us))
        events.push_back(std::move(*count));
    return events;
}

std::optional<json> BatchDrawing::probe_answered(const RequestRecord& probe) {
    if (probe.index >= live_drawn_requests || probe.send_us < 0 || probe.end_us < 0)
        return std::nullopt;  // (one that could not connect was never sent)
    std::lock_guard lock(m_);
    return json{{"type", "probe"},
                {"c", configuration_},
                {"i", probe.index},
                {"sent", seconds(probe.send_us)},
                {"t", seconds(probe.end_us)},
                {"ok", probe.ok()}};
}

json BatchDrawing::batch_finished() {
    std::lock_guard lock(m_);
    return *count_event(true, last_count_us_);
}

std::optional<json> BatchDrawing::mark(const live::ReceivedMark& mark) {
    const char* name = live::mark_name(static_cast<char>(mark.mark));
    std::lock_guard lock(m_);
    if (configuration_ < 0)
        return json{{"type", "mark"},
                    {"mark", name},
                    {"port", mark.request},
                    {"what", mark.what},
                    {"t", seconds(mark.at_us - opened_us_)}};
    auto it = drawn_on_port_.find(mark.request);
    if (it == drawn_on_port_.end() ||
        (mark.mark != live::Mark::started && mark.mark != live::Mark::ended))
        return std::nullopt;
    if (mark.at_us - origin_us_ < it->second.sent_us)
        return std::nullopt;  // late, about the connection's previous request
    return json{{"type", name},
                {"c", configuration_},
                {"i", it->second.row},
                {"t", seconds(mark.at_us - origin_us_)}};
}

}  // namespace lab
