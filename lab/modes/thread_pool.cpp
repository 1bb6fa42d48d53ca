// thread-pool: the event loop hands each blocking wait to a pool of T threads and awaits it.
// The loop stays free; T waits run at once and the rest queue in arrival order: ceil(N/T) waves.
#include <thread>

#include "lab/modes/waits.hpp"
#include "lab/server/server_stats.hpp"

namespace lab {
namespace {

// Runs on a pool thread, counted busy for GET /stats while it blocks.
asio::awaitable<ServiceRecord> on_pool_thread(Work work, Micros amount) {
    ServerStats& stats = server_stats();
    ++stats.pool_busy;
    ServiceRecord served = co_await work(amount);
    --stats.pool_busy;
    co_return served;
}

// `run_in_threadpool(work)`: the very same blocking work, started on a pool thread; the
// request's coroutine awaits it and resumes on the loop, which was free all along.
Work in_pool(asio::thread_pool& pool, Work work) {
    return [&pool, work](Micros amount) {
        return asio::co_spawn(pool, on_pool_thread(work, amount), asio::use_awaitable);
    };
}

}  // namespace

// The model: T requests at once, in waves of T: ceil(N/T)·d. CPU work also shares the cores,
// and under a GIL the threads take 5 ms turns on one "core", so all finish near N·c.
Model thread_pool_model(const ServerShape& shape) {
    if (!shape.cpu_work) return {shape.threads, 0, 0, "ceil(N/T)·d, T=" + std::to_string(shape.threads)};
    if (shape.gil) return {shape.threads, 0, 1, "N·c (the GIL: one computes at a time, in turns)"};
    return {shape.threads, 0, shape.cores,
            "ceil(N/T) waves of max(c, n·c/cores), cores=" + std::to_string(shape.cores)};
}

// The documents' `def` route (FastAPI runs it in its thread pool), and `await
// run_in_threadpool(time.sleep, d)` written by hand: the wait of blocking-in-loop, moved.
int serve_thread_pool(const ServeOptions& options) {
    asio::io_context loop{1};
    asio::thread_pool pool{static_cast<std::size_t>(options.threads)};
    server_stats().pool_threads = options.threads;
    tcp::acceptor acceptor = open_listener(loop, options);
    serve(acceptor, {.wait = in_pool(pool, wait_blocking), .compute = in_pool(pool, compute_here)}, options);
    announce(acceptor.local_endpoint());
    loop.run();  // one thread runs the loop; `options.threads` more do the blocking work
    pool.join();
    return 0;
}

}  // namespace lab
