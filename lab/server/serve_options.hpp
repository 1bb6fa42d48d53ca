#pragma once
// What `lab serve` is told: which mode, where to listen, and the mode's own knobs.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "lab/named.hpp"

namespace lab {

// How the workers of multi-process share the port (lab/modes/multi_process.cpp explains each).
enum class Balance { shared, reuseport, round_robin };
template <>
struct Names<Balance> {
    static constexpr std::pair<Balance, std::string_view> list[] = {
        {Balance::shared, "shared"},
        {Balance::reuseport, "reuseport"},
        {Balance::round_robin, "round-robin"}};
};

struct ServeOptions {
    std::string mode = "async-sleep";
    // Loopback unless told otherwise: an IP address in numbers (the command line turns localhost
    // into 127.0.0.1)
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the kernel picks a free port
    int threads = 40;  // thread-pool: AnyIO's default limit, FastAPI's `def` routes
    int workers = 4;  // multi-process
    Balance balance = Balance::shared;  // multi-process
    std::string worker_mode = "blocking-in-loop";  // multi-process: the loop each worker runs
    bool gil = false;  // an emulated GIL around "Python code" (lab/compute/gil.hpp)
    bool explain = false;  // one human line per event on stdout
    std::string database_url;  // /db queries this PostgreSQL (libpq URL); empty: /db answers 503
    int db_pool = 10;  // connections per process (asyncpg's create_pool default)
    std::string downstream_url;  // /fetch calls this server's /delay; empty: /fetch answers 503
    std::string redis_url;  // /cache asks this Redis (unix:///PATH or redis://IP:PORT); empty: 503
    // async-sleep: /cache through the blocking client (redis-py's way), the rest awaiting
    bool blocking_redis = false;
    int slow_ms = 100;  // log handlers that hold the loop this long (asyncio: 100 ms)
    int idle_timeout_ms = 30'000;  // drop a connection that takes longer to send a request
    // A live view's unix datagram socket: each request's marks as they happen
    std::string events_to;
};

}  // namespace lab
