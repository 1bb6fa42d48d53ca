// async-sleep: one thread runs the event loop, and the handler awaits a timer instead of sleeping.
// A waiting request hands the thread back to the loop, so N requests wait together: about d.
#include <thread>

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

// The model: every wait overlaps, so N requests take about d; CPU work cannot be awaited and
// still runs in the loop one at a time: N·c.
Model async_sleep_model(const ServerShape& shape) {
    if (shape.cpu_work) return {1, 0, 0, "N·c (computes in the loop)"};
    return {0, 0, 0, "d"};
}

int serve_async_sleep(const ServeOptions& options) {
    asio::io_context loop{1};
    tcp::acceptor acceptor = open_listener(loop, options);
    serve(acceptor, {.wait = wait_awaiting, .compute = compute_here}, options);
    announce(acceptor.local_endpoint());
    loop.run();  // one thread: this one
    return 0;
}

}  // namespace lab
