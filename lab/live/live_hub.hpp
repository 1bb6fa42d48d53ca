#pragma once
// The live view (`lab run --live`, `lab load --live`, `lab serve --live`): a page on 127.0.0.1 (or
// --live-host) that a projector shows while requests run, and the events it draws, streamed to it
// by Server-Sent Events from the lab's own Beast server on a thread of its own.
//
// Where the events come from: the harness says when each request leaves and is answered (it is
// this hub's LoadObserver); the servers say when each request's work starts and ends, by one
// datagram each on a unix socket of the hub's (their --events-to), naming the request by its
// client's port, which the harness told the hub. Every event is kept, so a page opened late or
// reloaded replays the run so far.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"
#include "lab/live/batch_drawing.hpp"
#include "lab/live/guess_box.hpp"

namespace lab {

// The hub keeps at most this many connections at once (pages, event streams, guess forms); one
// past it closes the oldest that has sent no request for half a second, else the oldest event
// stream (its page asks again), or, with none such, is answered 503 at once and closed. It runs in
// the lab's own process, so a client holding connections cannot take the file descriptors the run
// needs for its servers and requests.
inline constexpr int live_connections_at_most = 64;

class LiveHub : public LoadObserver {
public:
    // Listens on `host`:`port` (0: a free one), loopback unless told otherwise (in a container,
    // 0.0.0.0 lets the host's browser in via a published port); else throws std::runtime_error.
    explicit LiveHub(std::uint16_t port = 0, const std::string& host = "127.0.0.1");
    ~LiveHub() override;  // lets each open page read every event, then stops
    LiveHub(const LiveHub&) = delete;
    LiveHub& operator=(const LiveHub&) = delete;

    std::string url() const;  // on this machine: 127.0.0.1 when listening on every address
    std::string marks_path() const;  // the servers' --events-to

    // Waits until a page has connected, for at most `limit`; true if one did.
    bool wait_for_viewer(std::chrono::milliseconds limit);

    // An event for the page, from any thread.
    void publish(nlohmann::json event);
    // --predict-page: the room's guess form at /guess (its URL returned), taking guesses until
    // they are closed; then each configuration's guesses, in the order they came.
    std::string open_guesses(GuessForm form);
    std::size_t guesses_so_far() const;  // sendings taken (each one person's)
    std::vector<std::vector<double>> room_guesses() const;  // each configuration's, so far
    std::vector<std::vector<double>> close_guesses();
    std::vector<std::size_t> room_choices() const;  // how many picked each choice

    // The run's k-th configuration (from 0) is starting; its batches follow.
    void configuration(int k, int batches);

    void batch_started(int batch, std::int64_t origin_us, int requests) override;
    void sent(int index, std::int64_t at_us, int port) override;
    void answered(const RequestRecord& r) override;
    void probe_answered(const RequestRecord& probe) override;  // bystander's: a batch's first 200
    void batch_finished(int batch) override;
    // A server's mark, as the marks socket hands them on (`lab replay`: made from the records'
    // stamps, on the batch's axis).
    void mark(const live::ReceivedMark& mark);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lab
