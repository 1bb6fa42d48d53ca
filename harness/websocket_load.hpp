#pragma once
// The harness's WebSocket load (the websockets lesson): `clients` WebSockets opened to one server
// on this machine and held open, every tick the server sends them read and timed, and one client's
// "wait MS" message sent just before a tick is due, so that a handler that blocks its loop for the
// wait holds that tick (and every connection's copy of it) back by nearly the whole wait.
// Bounded like every load: loopback only, at most most_websocket_clients, every phase in time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "harness/load_generator.hpp"  // Batch, RequestRecord

namespace lab {

inline constexpr int most_websocket_clients = 10'000;
// The longest message a client reads: a tick or a reply is under 100 bytes, so 64 KiB is ample;
// a longer one fails that client (body_over_limit), and 10,000 clients hold at most 640 MiB.
inline constexpr std::size_t most_websocket_message = 64 << 10;

struct WebSocketLoadSpec {
    std::string host = "127.0.0.1";  // loopback only (127.0.0.0/8, ::1, localhost)
    std::uint16_t port = 0;
    std::string target = "/ws";
    int clients = 1000;  // 1 to most_websocket_clients
    std::chrono::milliseconds open_within{
        20'000};  // all must be open by then, or the batch goes on with those that are
    std::chrono::milliseconds hold{3000};  // ticks are read and timed this long once all are open
    int wait_ms = 200;  // what client 0's message asks its handler to wait
    std::chrono::milliseconds wait_at{
        1500};  // sent at the first tick due this far into the hold, just before it
    // Once every client is open, before any tick is timed: e.g. the server's memory, while held.
    std::function<void(int open)> on_held{};
    LoadObserver* observer = nullptr;  // a live view: each tick read, as it is read; may be null
};

// How long before a tick is due client 0 sends its message: the handler starts as the tick
// comes due, so a blocking one holds that tick back by the wait less this (and the loop's read).
inline constexpr std::chrono::milliseconds wait_lead{10};

// One batch: each tick a client read in the hold is a record (connection: the client; index: the
// tick's number; intended_us: when it was due, by the server's stamp or a period after the client's
// previous tick, whichever is earlier; end_us: when the client read it; so latency_us() is its
// lateness), on a time axis from the batch's start. A client that could not open, or was closed
// before the end, adds a failed record (connect, or read; a message over most_websocket_message:
// body_over_limit); a message in the hold that is neither a tick (as text) nor a reply is recorded
// as what it is (error status, its size in bytes; the batch keeps the first one's text), and a
// client that read nothing in the hold adds a timeout. The message is the batch's one probe record:
// sent at send_us, its reply ("waited MS") read at end_us, or a timeout if none came by the end.
// Throws std::invalid_argument for a host that is not loopback or a count out of bounds.
Batch run_websocket_batch(const WebSocketLoadSpec& spec, int batch_number = 0);

}  // namespace lab
