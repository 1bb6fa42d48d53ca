#pragma once
// Each mode's answer to one question: while a request waits, what happens to everyone else?
#include "lab/drivers/connection_pool.hpp"
#include "lab/drivers/http_client.hpp"
#include "lab/drivers/redis.hpp"
#include "lab/server/http_server.hpp"

namespace lab {

asio::awaitable<ServiceRecord> wait_blocking(Micros d);  // blocking_in_loop.cpp
asio::awaitable<ServiceRecord> wait_awaiting(Micros d);  // async_sleep.cpp
asio::awaitable<ServiceRecord> query_blocking(
    DbQuery q);  // blocking_in_loop.cpp: /db, /users, psycopg2's way
asio::awaitable<ServiceRecord> query_awaiting(
    DbQuery q);  // async_sleep.cpp: /db, /users, asyncpg's way
asio::awaitable<ServiceRecord> call_blocking(
    Micros d);  // blocking_in_loop.cpp: /fetch, requests' way
asio::awaitable<ServiceRecord> call_awaiting(Micros d);  // async_sleep.cpp: /fetch, httpx's way
asio::awaitable<ServiceRecord> cache_blocking(
    Micros d);  // blocking_in_loop.cpp: /cache, redis-py's way
asio::awaitable<ServiceRecord> cache_awaiting(
    Micros d);  // async_sleep.cpp: /cache, redis.asyncio's way
Handlers loop_handlers(std::string_view loop_mode);  // a loop mode's handlers, by name

int serve_blocking_in_loop(const ServeOptions& options);
int serve_async_sleep(const ServeOptions& options);
int serve_thread_pool(const ServeOptions& options);
int serve_multi_process(const ServeOptions& options);

}  // namespace lab
