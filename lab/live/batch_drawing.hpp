#pragma once
// What the live page is told of the running batch, as its events: which of the batch's requests
// it draws as bars (at most live_drawn_requests), each request's moments (sent, its work started
// and ended by the server's marks, answered), and a running count of the answers. A server names
// a request only by its client's port; the harness says which request each port carries now.
// No I/O here: the hub (live_hub.cpp) publishes what these return, from any thread.
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"
#include "lab/server/live_events.hpp"

namespace lab {

// The page draws at most this many requests of a batch, as bars: every ceil(N/200)-th of N (so the
// bars span the whole batch), or a timed batch's first 200. Of all answers it is sent a running
// count, so a load of any size or length costs the run and the page next to nothing (and a page
// opened late replays a few hundred events, not millions).
inline constexpr int live_drawn_requests = 200;

class BatchDrawing {
public:
    explicit BatchDrawing(std::int64_t opened_us) : opened_us_(opened_us) {}
    // Each returns the page's events for what happened (none: nothing the page draws).
    nlohmann::json configuration(int k, int batches);
    nlohmann::json batch_started(int batch, std::int64_t origin_us, int requests);
    std::optional<nlohmann::json> sent(int index, std::int64_t at_us, int port);
    std::vector<nlohmann::json> answered(const RequestRecord& r);
    std::optional<nlohmann::json> probe_answered(const RequestRecord& probe);
    nlohmann::json batch_finished();
    // A server's mark: about a request of the running batch, or (lab serve --live, no harness)
    // about a request known only by its client's port.
    std::optional<nlohmann::json> mark(const live::ReceivedMark& mark);

private:
    std::optional<int> row_of(int index) const;
    std::optional<nlohmann::json> count_event(bool final, std::int64_t at_us);

    const std::int64_t opened_us_;
    std::mutex m_;  // guards what follows
    int configuration_ = -1, batches_ = 0;
    std::int64_t origin_us_ = 0;
    struct Drawn {
        int row;  // the request's bar on the page
        // On the batch's axis: a mark from before it is about an earlier request
        std::int64_t sent_us;
    };
    // The request each connection carries now, if it is drawn
    std::unordered_map<int, Drawn> drawn_on_port_;
    int stride_ = 1;  // every stride-th request of the batch is drawn
    int answered_in_batch_ = 0;  // drawn or not
    std::int64_t last_count_us_ = 0;  // when the page was last sent the count, on the batch's axis
};

}  // namespace lab
