#pragma once
// The emulated Python loop's turns under the GIL (`lab serve --gil`; the rule is gil.hpp's): the
// loop takes the lock at a turn's first callback and lets go once the callbacks ready now have run
// (the release is queued behind them). Without a GIL a turn costs nothing.
#include "lab/asio.hpp"
#include "lab/compute/gil.hpp"

namespace lab {

// A callback of the loop's (a connection accepted, a request's bytes read, a coroutine resumed).
inline void python_turn(const asio::any_io_executor& loop) {
    Gil& gil = process_gil();
    if (!gil.enabled() || gil.held_by_me()) return;
    gil.acquire();
    asio::post(loop, [&gil] { gil.release(); });
}

// asyncio serves a request over several turns of its loop, each under the GIL and each queued for
// it anew: data_received parses the request and creates its task; the task's first step runs the
// route; the task's done callback comes after the answer is written. This takes one such turn:
// the lock is let go at the hop through the loop's queue, and taken again.
inline asio::awaitable<void> next_python_turn() {
    if (!process_gil().enabled()) co_return;
    auto loop = co_await asio::this_coro::executor;
    co_await asio::post(loop, asio::use_awaitable);
    python_turn(loop);
}

}  // namespace lab
