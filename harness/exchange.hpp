#pragma once
// One request and its answer on an open connection: the one routine every load of the harness
// (closed loop, probes, open loop, stall) sends with, so every record is filled in the same way.
#include <chrono>
#include <cstdint>
#include <string>

#include "harness/answers.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/timed_socket.hpp"

namespace lab {

// Where a batch's requests go, and the moment it started: every time in its records counts from it.
struct Aim {
    tcp::endpoint endpoint;
    std::int64_t origin_us = monotonic_us();
    std::int64_t now() const { return monotonic_us() - origin_us; }
};

// Opens `stream` to `endpoint` within `timeout`; false if it could not, and then `why`, if given,
// gets the system's reason ("Connection refused", "Too many open files").
asio::awaitable<bool> open_connection(TimedSocket& stream, const tcp::endpoint& endpoint,
                                      std::chrono::milliseconds timeout,
                                      std::string* why = nullptr);

// The connection's own port, by which the server's live marks name its requests (0: none).
int local_port(TimedSocket& stream);

// Writes `bytes` and reads the final answer into `r`: send_us, first_byte_us, end_us (times since
// `origin_us`), status, bytes, the server's stamps, and the error if any. 1xx answers (such as
// "100 Continue") are interim: they are read and passed over, and the answer after them counts.
// Returns whether the connection can carry another request. `body`, if given, gets the answer's
// body (its first MiB: the rest is counted, not kept). An answer past `limits` fails as
// head_over_limit or body_over_limit.
asio::awaitable<bool> exchange(TimedSocket& stream, beast::flat_buffer& buffer,
                               const std::string& bytes, std::chrono::milliseconds timeout,
                               std::int64_t origin_us, RequestRecord& r,
                               std::string* body = nullptr, AnswerLimits limits = {});

}  // namespace lab
