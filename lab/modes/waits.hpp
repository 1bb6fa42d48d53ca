#pragma once
// Each mode's answer to one question: while a request waits, what happens to everyone else?
#include "lab/drivers/connection_pool.hpp"
#include "lab/drivers/http_client.hpp"
#include "lab/drivers/redis.hpp"
#include "lab/server/http_server.hpp"

namespace lab {

// Each wait in pairs: the blocking way (blocking_in_loop.cpp), then the awaiting way
// (async_sleep.cpp). /delay: time.sleep and asyncio.sleep.
asio::awaitable<ServiceRecord> wait_blocking(Micros d);
asio::awaitable<ServiceRecord> wait_awaiting(Micros d);
// /db and /users: psycopg2's way and asyncpg's.
asio::awaitable<ServiceRecord> query_blocking(DbQuery q);
asio::awaitable<ServiceRecord> query_awaiting(DbQuery q);
// /fetch: requests' way and httpx's.
asio::awaitable<ServiceRecord> call_blocking(Micros d);
asio::awaitable<ServiceRecord> call_awaiting(Micros d);
// /cache: redis-py's way and redis.asyncio's.
asio::awaitable<ServiceRecord> cache_blocking(Micros d);
asio::awaitable<ServiceRecord> cache_awaiting(Micros d);
Handlers loop_handlers(std::string_view loop_mode);  // a loop mode's handlers, by name

// One event loop, on this thread, serving with `handlers`: blocking-in-loop and async-sleep.
int serve_one_loop(const ServeOptions& options, Handlers handlers);
int serve_blocking_in_loop(const ServeOptions& options);
int serve_async_sleep(const ServeOptions& options);
int serve_thread_pool(const ServeOptions& options);
int serve_multi_process(const ServeOptions& options);

}  // namespace lab
