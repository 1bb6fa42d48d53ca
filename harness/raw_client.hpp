#pragma once
// Sends arbitrary bytes, well-formed or not, and reads whatever reply comes back (parsed by
// Beast). For probing how a server treats bad input; the load harness never sends garbage.
#include <chrono>
#include <cstdint>
#include <string>

namespace lab {

struct RawReply {
    int status = 0;         // 0: the server closed the connection without an answer
    std::string body;
    bool closed = false;    // the server closed the connection after (or instead of) answering
    std::string error;      // why nothing usable came back, if nothing did
};

RawReply send_raw(const std::string& host, std::uint16_t port, const std::string& bytes,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace lab
