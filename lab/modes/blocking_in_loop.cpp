// blocking-in-loop: one thread runs the event loop, and the handler sleeps on that thread.
// While one request sleeps nobody else is read or answered: N requests take N waits, in a row.
#include <thread>

#include "lab/modes/waits.hpp"
#include "lab/compute/gil.hpp"

namespace lab {

// The documents' `async def` route that calls `time.sleep(d)`: it is written as a coroutine,
// but nothing in it suspends, so the loop's only thread is held for the whole wait. (Under a
// GIL, each blocking call here lets go of it while it waits, as CPython's do.)
asio::awaitable<ServiceRecord> wait_blocking(Micros d) {
    auto served = ServiceRecord::start();
    Gil::BlockingCall python(process_gil());
    std::this_thread::sleep_for(d);
    co_return std::move(served).finish();
}

// The documents' `async def` route that queries with psycopg2: libpq's blocking call sends the
// query and waits for the answer on the loop's thread, which again serves no one else.
asio::awaitable<ServiceRecord> query_blocking(DbQuery q) {
    auto served = ServiceRecord::start();
    Gil::BlockingCall python(process_gil());
    auto connection = database()->take();
    served.db = ask_blocking(*connection, q);
    co_return std::move(served).finish();
}

// The documents' `async def` route that calls `requests.get`: the blocking HTTP client sends the
// request and waits for the answer on the loop's thread.
asio::awaitable<ServiceRecord> call_blocking(Micros d) {
    auto served = ServiceRecord::start();
    Gil::BlockingCall python(process_gil());
    call_downstream_blocking(*downstream(), d);
    co_return std::move(served).finish();
}

// The documents' `async def` route that calls redis-py: hiredis's blocking client waits for the
// reply on the loop's thread.
asio::awaitable<ServiceRecord> cache_blocking(Micros d) {
    auto served = ServiceRecord::start();
    Gil::BlockingCall python(process_gil());
    cache_call_blocking(*redis(), d);
    co_return std::move(served).finish();
}

int serve_one_loop(const ServeOptions& options, Handlers handlers) {
    asio::io_context loop{1};
    tcp::acceptor acceptor = open_listener(loop, options);
    serve(acceptor, std::move(handlers), options);
    announce(acceptor.local_endpoint());
    loop.run();  // one thread: this one
    return 0;
}

int serve_blocking_in_loop(const ServeOptions& options) {
    return serve_one_loop(options, {.wait = wait_blocking,
                                    .compute = compute_here,
                                    .query = query_blocking,
                                    .call = call_blocking,
                                    .cache = cache_blocking});
}

}  // namespace lab
