// async-sleep: one thread runs the event loop, and the handler awaits a timer instead of sleeping.
// A waiting request hands the thread back to the loop, so N requests wait together: about d.

#include "lab/modes/waits.hpp"

namespace lab {

// The documents' `async def` route that does `await asyncio.sleep(d)`: the coroutine suspends
// at co_await, and the loop serves other requests until the timer fires.
asio::awaitable<ServiceRecord> wait_awaiting(Micros d) {
    auto served = ServiceRecord::start();
    asio::steady_timer timer{co_await asio::this_coro::executor, d};
    co_await timer.async_wait(asio::use_awaitable);
    co_return std::move(served).finish();
}

// The documents' `async def` route that queries with asyncpg: the driver sends the query, then
// the coroutine suspends on the connection's socket until PostgreSQL answers, freeing the loop.
asio::awaitable<ServiceRecord> query_awaiting(DbQuery q) {
    auto served = ServiceRecord::start();
    auto connection = co_await database()->take_async();
    served.db = co_await ask_awaiting(*connection, q);
    co_return std::move(served).finish();
}

// The documents' `async def` route that awaits `httpx.AsyncClient().get`: Beast's client writes
// the request, then the coroutine suspends until the answer's bytes arrive.
asio::awaitable<ServiceRecord> call_awaiting(Micros d) {
    auto served = ServiceRecord::start();
    co_await call_downstream_awaiting(*downstream(), d);
    co_return std::move(served).finish();
}

// The documents' `async def` route that awaits redis.asyncio: the command is written, then the
// coroutine suspends until Redis's reply arrives, and hiredis's parser reads it.
asio::awaitable<ServiceRecord> cache_awaiting(Micros d) {
    auto served = ServiceRecord::start();
    co_await cache_call_awaiting(*redis(), d);
    co_return std::move(served).finish();
}

int serve_async_sleep(const ServeOptions& options) {
    return serve_one_loop(
        options, {.wait = wait_awaiting,
                  .compute = compute_here,
                  .query = query_awaiting,
                  .call = call_awaiting,
                  .cache = options.blocking_redis ? cache_blocking
                                                  : cache_awaiting});  // db-and-cache's row 3
}

}  // namespace lab
