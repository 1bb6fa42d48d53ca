// thread-pool: the event loop hands each blocking wait to a pool of T threads and awaits it.
// The loop stays free; T waits run at once and the rest queue in arrival order: ceil(N/T) waves.
#include <latch>
#include <memory>

#include "lab/modes/waits.hpp"
#include "lab/server/server_stats.hpp"

namespace lab {
namespace {

// Runs on a pool thread, counted busy for GET /stats while it blocks (and, for a live view,
// working for the request that handed it over).
template <class Ask>
asio::awaitable<ServiceRecord> on_pool_thread(
    std::function<asio::awaitable<ServiceRecord>(Ask)> work, Ask asked, int request) {
    ServerStats& stats = server_stats();
    live::current_request() = request;
    ++stats.pool_busy;
    ServiceRecord served = co_await work(asked);
    --stats.pool_busy;
    co_return served;
}

// `run_in_threadpool(work)`: the very same blocking work, started on a pool thread; the
// request's coroutine awaits it and resumes on the loop, which was free all along.
// (`Ask` is what the request asks for: an amount of time, or a query.)
template <class Ask>
std::function<asio::awaitable<ServiceRecord>(Ask)> in_pool(
    asio::thread_pool& pool, asio::awaitable<ServiceRecord> (*work)(Ask)) {
    return [&pool, work](Ask asked) {
        ServerStats& stats = server_stats();
        if (stats.pool_busy >= stats.pool_threads) ++stats.waited_for_thread;
        return asio::co_spawn(pool, on_pool_thread<Ask>(work, asked, live::current_request()),
                              asio::use_awaitable);
    };
}

// Returns once each of the pool's T threads has run: T tasks that each wait for all T to arrive
// can only finish on T threads at once. The threads are started before the server says it
// listens, so a burst never meets 10,000 threads still being created (on a busy machine that
// storm can starve the loop's own thread for seconds), and the start-up is not timed.
void wait_until_running(asio::thread_pool& pool, int threads) {
    // Shared: a task may still be returning from the latch when this function has returned.
    auto all_running = std::make_shared<std::latch>(threads);
    for (int t = 0; t < threads; ++t)
        asio::post(pool, [all_running] { all_running->arrive_and_wait(); });
    all_running->wait();
}

}  // namespace

// The documents' `def` route (FastAPI runs it in its thread pool), and `await
// run_in_threadpool(time.sleep, d)` written by hand: the wait of blocking-in-loop, moved.
int serve_thread_pool(const ServeOptions& options) {
    asio::io_context loop{1};
    asio::thread_pool pool{static_cast<std::size_t>(options.threads)};
    wait_until_running(pool, options.threads);
    server_stats().pool_threads = options.threads;
    tcp::acceptor acceptor = open_listener(loop, options);
    serve(acceptor,
          {.wait = in_pool(pool, wait_blocking),
           .compute = in_pool(pool, compute_here),
           .query = in_pool(pool, query_blocking),
           .call = in_pool(pool, call_blocking),
           .cache = in_pool(pool, cache_blocking)},
          options);
    announce(acceptor.local_endpoint());
    loop.run();  // one thread runs the loop; `options.threads` more do the blocking work
    pool.join();
    return 0;
}

}  // namespace lab
