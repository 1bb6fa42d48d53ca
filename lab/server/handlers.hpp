#pragma once
// A mode's concurrency decision, all of it: where a request's waiting and its computing happen (on
// the loop, awaited, or on another thread). Every session, HTTP or WebSocket, calls these.
#include <functional>

#include "lab/asio.hpp"
#include "lab/server/service_record.hpp"

namespace lab {

// One kind of work a request asks for, taking `amount` (a wait of d, or c of CPU time).
using Work = std::function<asio::awaitable<ServiceRecord>(Micros amount)>;
// A query to PostgreSQL, through the mode's driver (lab/drivers/postgres.hpp).
using Query = std::function<asio::awaitable<ServiceRecord>(DbQuery query)>;

struct Handlers {
    Work wait;  // GET /delay?ms=d
    Work compute;  // GET /cpu?ms=c
    // GET /db?ms=d (PostgreSQL sleeps d) and GET /users/{id} (a lookup by primary key)
    Query query;
    Work call;  // GET /fetch?ms=d: a downstream HTTP service answers after d, by the mode's client
    Work cache;  // GET /cache[?ms=d]: one Redis round trip (a GET, or BLPOP waiting d)
};

}  // namespace lab
