#pragma once
// Two ways to make one Redis round trip, through hiredis (Debian's libhiredis-dev): one socket,
// the command written by hiredis and the reply read by its parser, in the same steps that differ
// only in how they wait for the socket:
//   blocking  the calling thread waits in poll() for the reply (redis-py's way);
//   awaiting  the coroutine suspends while the loop watches the socket and serves others
//             (redis.asyncio's way).
// The round trip is a GET (ms = 0), or, to wait a controlled time inside Redis, a BLPOP on a list
// that stays empty with a timeout of ms (what a slow cache or a queue read looks like).
#include <string>

#include "lab/asio.hpp"
#include "lab/clock.hpp"

namespace lab {

// Where Redis listens: unix:///path/to/redis.sock, or redis://IP:PORT.
struct RedisAddress {
    std::string socket_path;  // unix socket, if set
    std::string host;  // else TCP
    int port = 6379;
};
RedisAddress redis_address(const std::string& url);  // throws std::invalid_argument

// Each returns the reply as text ("" for nil) and throws std::runtime_error if Redis cannot be
// reached or answers with an error. A connection per call: Redis accepts one in microseconds.
std::string cache_call_blocking(const RedisAddress& redis, Micros wait);
asio::awaitable<std::string> cache_call_awaiting(const RedisAddress& redis, Micros wait);

// The process's Redis, if `lab serve` was given one (--redis-url); nullptr otherwise.
const RedisAddress* redis();
void use_redis(const std::string& url);

}  // namespace lab
