// thread-pool: the event loop hands each blocking wait to a pool of T threads and awaits it.
// The loop stays free; T waits run at once and the rest queue in arrival order: ceil(N/T) waves.
#include <thread>

#include "lab/modes/waits.hpp"

namespace lab {

// The documents' `def` route (and `await run_in_threadpool(time.sleep, d)`): the very same
// blocking wait as blocking-in-loop, started on a pool thread; the request's coroutine awaits
// its completion and resumes on the loop.
asio::awaitable<ServiceRecord> wait_in_pool(asio::thread_pool& pool, Micros d) {
    co_return co_await asio::co_spawn(pool, wait_blocking(d), asio::use_awaitable);
}

int serve_thread_pool(const ServeOptions& options) {
    asio::io_context loop{1};
    asio::thread_pool pool{static_cast<std::size_t>(options.threads)};
    tcp::acceptor acceptor = open_listener(loop, options);
    serve(acceptor, [&pool](Micros d) { return wait_in_pool(pool, d); });
    announce(acceptor.local_endpoint());
    loop.run();  // one thread runs the loop; `options.threads` more do the waiting
    pool.join();
    return 0;
}

}  // namespace lab
