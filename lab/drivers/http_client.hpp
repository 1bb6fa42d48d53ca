#pragma once
// Two ways to call a downstream HTTP service, GET /delay?ms=d on it (another `lab serve`, or any
// server that answers that path), each on a new connection as `requests.get` and a fresh
// `httpx.AsyncClient` make one. Beast writes the request and parses the answer; the two differ,
// as the PostgreSQL and Redis drivers do, only in how they wait for the socket:
//   blocking  the calling thread waits in poll() for the answer (`requests`);
//   awaiting  the coroutine awaits the socket, the loop serves others meanwhile (`httpx`).
#include <string>

#include "lab/asio.hpp"
#include "lab/clock.hpp"

namespace lab {

struct Downstream {
    std::string host;  // an IP address (the lab resolves no names)
    unsigned short port = 0;
};

// Throws std::runtime_error when the downstream cannot be reached or answers other than 200.
void call_downstream_blocking(const Downstream& to, Micros d);
asio::awaitable<void> call_downstream_awaiting(const Downstream& to, Micros d);

// The process's downstream, if `lab serve` was given one (--downstream-url); nullptr otherwise.
const Downstream* downstream();
void use_downstream(const std::string& url);  // throws std::invalid_argument for a bad URL

}  // namespace lab
