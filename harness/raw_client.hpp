#pragma once
// Sends arbitrary bytes, well-formed or not, and reads whatever reply comes back (parsed by
// Beast). For probing how a server treats bad input, and for the runner's reads of a server's
// own account (GET /stats); the load harness never sends garbage.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lab {

struct RawReply {
    int status = 0;  // the last answer's; 0: the server closed the connection without one
    std::vector<int> statuses;  // every answer's, in order
    std::string body;
    bool closed = false;  // the server closed the connection after (or instead of) answering
    std::string error;  // why nothing usable came back, or why the body is cut (over the limit)
};

// The most of an answer's body send_raw reads (Beast's own default for an answer): past it the
// reply keeps its status, the body read so far, and an error saying the limit was passed.
inline constexpr std::uint64_t raw_answer_body_limit = 8 << 20;

// Reads up to `replies` answers (for pipelined requests), each within `timeout`.
RawReply send_raw(const std::string& host, std::uint16_t port, const std::string& bytes,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5), int replies = 1);

}  // namespace lab
