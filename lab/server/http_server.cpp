#include "lab/server/http_server.hpp"

#include <cstdio>

#include <unistd.h>

#include "lab/accepting.hpp"
#include "lab/drivers/connection_pool.hpp"
#include "lab/drivers/http_client.hpp"
#include "lab/drivers/redis.hpp"
#include "lab/server/answer.hpp"
#include "lab/server/arrival.hpp"
#include "lab/compute/cpu_work.hpp"
#include "lab/server/explain.hpp"
#include "lab/server/http_messages.hpp"
#include "lab/compute/gil.hpp"
#include "lab/server/handoff.hpp"
#include "lab/timed_socket.hpp"
#include "lab/server/job_endpoints.hpp"
#include "lab/server/live_events.hpp"
#include "lab/server/loop_monitor.hpp"
#include "lab/server/routes.hpp"
#include "lab/server/server_stats.hpp"
#include "lab/server/websocket_session.hpp"

namespace lab {
namespace {



// A request's bytes that waited at least this long in the socket are told and drawn as waiting;
// shorter waits are the usual instant between a packet's arrival and the loop's read.
constexpr std::int64_t seen_waiting_us = 1000;

// The loop is Python code: from its first callback after a wait in the kernel until it waits
// there again, it holds the GIL (when there is one), as asyncio's _run_once does. So it takes
// the lock once per turn, at the first callback, and lets go once the callbacks ready now have
// run (the release is queued behind them); coming back from the kernel, it queues again.
void python_turn(const asio::any_io_executor& loop) {
    Gil& gil = process_gil();
    if (!gil.enabled() || gil.held_by_me()) return;
    gil.acquire();
    asio::post(loop, [&gil] { gil.release(); });
}

// asyncio serves a request over several turns of its loop, each under the GIL and each queued for
// it anew: data_received parses the request and creates its task; the task's first step runs the
// route; the task's done callback comes after the answer is written. Under --gil this loop takes
// the same turns (the lock is let go between them, at the hop through the loop's queue); without
// a GIL a turn costs nothing and none is taken.
asio::awaitable<void> next_python_turn() {
    if (!process_gil().enabled()) co_return;
    auto loop = co_await asio::this_coro::executor;
    co_await asio::post(loop, asio::use_awaitable);
    python_turn(loop);
}

// Tells the class when the loop read a request (with --explain), and how long its bytes had
// waited in the socket first (`waited_since`: the kernel's stamp of their arrival, or 0).
void explain_read(long id, const Request& req, std::int64_t read_us, std::int64_t waited_since) {
    std::string what = std::string(req.method_string()) + " " + std::string(req.target());
    if (waited_since > 0)
        explain("#{} {} read by the loop {:.1f} ms after it arrived: it waited in its socket until the loop was free", id,
                what, static_cast<double>(read_us - waited_since) / 1000.0);
    else
        explain("#{} {} read by the loop as it arrived", id, what);
}

// The bytes of the next request that already wait in the socket, read with the stamp of their
// arrival (0: none waited, so the usual read below takes them as they come).
std::int64_t take_waiting(TimedSocket& stream, beast::flat_buffer& buffer) {
    auto room = buffer.prepare(header_limit);
    WaitingBytes waiting = read_waiting(stream.socket().native_handle(), room.data(), room.size());
    buffer.commit(static_cast<std::size_t>(waiting.bytes));
    return waiting.arrived_us;
}

// Tells the class where and how long a request's work ran (with --explain).
void explain_work(long id, const char* what, const ServiceRecord& served) {
    if (!explaining) return;  // (its arguments would cost a system call, gettid, every request)
    explain("#{} {} done: {:.1f} ms, on {} {}", id, what, static_cast<double>(served.end_us - served.start_us) / 1000.0,
            served.thread_id == gettid() ? "the loop's thread" : "pool thread", served.thread_id);
}

// The work a route asks for, and how --explain names it; both null for a route answered at once.
struct WorkOf {
    const Work* work = nullptr;    // what takes an amount of time
    const Query* query = nullptr;  // or what asks PostgreSQL
    const char* starts = "";       // "#7 starts waiting 100 ms"
    const char* done = "";         // "#7 wait done: ..."
};
WorkOf work_of(const Route& r, const Handlers& handlers) {
    switch (r.kind) {
        case Route::Kind::delay: return {&handlers.wait, nullptr, "starts waiting", "wait"};
        case Route::Kind::cpu: return {&handlers.compute, nullptr, "starts computing for", "computation"};
        case Route::Kind::db: return {nullptr, &handlers.query, "asks PostgreSQL to sleep", "query"};
        case Route::Kind::user: return {nullptr, &handlers.query, "asks PostgreSQL for user", "lookup"};
        case Route::Kind::fetch: return {&handlers.call, nullptr, "calls downstream /delay for", "call"};
        case Route::Kind::cache: return {&handlers.cache, nullptr, "asks Redis, waiting up to", "cache call"};
        default: return {};
    }
}

// The work a route asks for, done the mode's way (its handler decides how, and where), and
// counted as holding the loop if the loop got no turn meanwhile.
asio::awaitable<ServiceRecord> do_work(const Route& r, const WorkOf& w, long id) {
    if (r.kind == Route::Kind::user) explain("#{} {} {}", id, w.starts, r.user_id);
    else if (r.kind == Route::Kind::delay && !explained_wait.empty())  // how this mode waits: the lesson
        explain("#{} {}{} {} ms, {}", id, r.background ? "background task " : "", w.starts, r.amount.count() / 1000, explained_wait);
    else explain("#{} {}{} {} ms", id, r.background ? "background task " : "", w.starts, r.amount.count() / 1000);
    std::int64_t turns = loop_monitor().turns(), handler = loop_monitor().handlers();
    ServiceRecord served;  // (no co_await inside ?:, which g++ 12 mistranslates)
    if (w.query) served = co_await (*w.query)(DbQuery{r.amount, r.user_id});
    else served = co_await (*w.work)(r.amount);
    python_turn(co_await asio::this_coro::executor);  // the loop resumes the request's coroutine
    if (loop_monitor().turns() == turns) loop_monitor().held(handler, served.start_us, served.end_us);
    explain_work(id, w.done, served);
    co_return served;
}

// A background task's work, started once its 202 has been written, as Starlette runs FastAPI's
// BackgroundTasks after the response: by the mode's own handler, so an `async def` task that
// computes holds the loop (blocking-in-loop, async-sleep) and a `def` task goes to the pool.
asio::awaitable<void> in_background(Route r, Handlers handlers, long id, int client_port) {
    loop_monitor().handler_started("background task");
    live::current_request() = client_port;
    try {
        co_await do_work(r, work_of(r, handlers), id);
    } catch (const std::exception& e) {  // nobody awaits a task: say what went wrong
        std::fprintf(stderr, "background task #%ld failed: %s\n", id, e.what());
    }
    --server_stats().background_running;
    ++server_stats().background_done;
}

asio::awaitable<Response> respond(const Request& req, const Route& r, const Handlers& handlers, long id) {
    WorkOf w = work_of(r, handlers);
    if (w.query && !database())
        co_return json_response(req.version(), http::status::service_unavailable,
                                error_body(503, "no database: start lab serve with --database-url URL, or --private-database"));
    bool queue = r.kind == Route::Kind::job_submit || r.kind == Route::Kind::job_status;
    if ((r.kind == Route::Kind::cache || queue) && !redis())
        co_return json_response(req.version(), http::status::service_unavailable,
                                error_body(503, "no Redis: start lab serve with --redis-url unix:///PATH, or --private-redis"));
    if (queue) co_return answer_job(req, r, *redis());  // the job's work is done by `lab worker`
    if (r.kind == Route::Kind::fetch && !downstream())
        co_return json_response(req.version(), http::status::service_unavailable,
                                error_body(503, "no downstream: start lab serve with --downstream-url http://HOST:PORT"));
    if (!w.work && !w.query) co_return answer_now(req, r);
    if (r.background) {  // the task runs after this answer is written (session below)
        ++server_stats().background_running;
        co_return accepted(req, r, id);
    }
    ServiceRecord served = co_await do_work(r, w, id);
    co_return answer_after(req, r, served);
}

// What the server notes once the loop has read a request: its number, when it was read (and
// since when its bytes had waited in the socket, if the kernel stamped them), in --explain and
// on the live channel, which names a request by its client's port. Its work is started after
// this, on this thread, before the first suspension (a pool's hand-over carries it along).
struct ReadNote {
    long id;
    std::int64_t read_us;
};
ReadNote note_read(const Request& req, int client_port, std::int64_t arrived) {
    ServerStats& stats = server_stats();
    long id = ++stats.requests_received;
    ++stats.in_service;
    std::int64_t read_us = monotonic_us();
    const std::int64_t waited_since = read_us - arrived >= seen_waiting_us ? arrived : 0;  // (0: not stamped)
    explain_read(id, req, read_us, waited_since);
    live::current_request() = client_port;
    const std::string_view target(req.target().data(), req.target().size());
    if (waited_since > 0) live::send_mark(live::Mark::arrived, client_port, waited_since, target);
    live::send_mark(live::Mark::read, client_port, read_us, target);
    loop_monitor().handler_started(target);
    return {id, read_us};
}

// Writes an answer as asyncio's transport.write does: at once (TimedSocket::write_some), and
// through the loop only for what is left when the socket's buffer is full. Most answers leave
// whole in the first send, with no trip through the loop's queue. A client that stops reading
// (say, after pipelining many requests) must not hold the connection forever, though: what is
// left gets as long to leave as a request gets to arrive, `idle`.
asio::awaitable<void> write_answer(TimedSocket& stream, Response& res, std::chrono::milliseconds idle, beast::error_code& ec) {
    http::response_serializer<http::string_body> serializer{res};
    ec = {};
    while (!ec && !serializer.is_done()) http::write_some(stream, serializer, ec);
    if (ec != asio::error::would_block) co_return;
    ec = {};
    stream.expires_after(idle);
    co_await http::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
}

// `idle`: how long a connection may take to send a whole request, so that a client that sends
// half a header and stalls cannot hold a connection (and its memory) forever.
asio::awaitable<void> session(TimedSocket stream, Handlers handlers, std::chrono::milliseconds idle) {
    beast::flat_buffer buffer;
    beast::error_code no_peer;
    const int client_port = stream.socket().remote_endpoint(no_peer).port();
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        beast::error_code ec;
        std::int64_t arrived = stamping_arrivals() && buffer.size() == 0 ? take_waiting(stream, buffer) : 0;
        stream.expires_after(idle);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        ec = stream.error(ec);
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::connection_reset)
            break;
        if (ec) {  // malformed: say why, then close, since the byte stream can't be trusted
            co_await http::async_write(stream, unreadable(ec), asio::redirect_error(asio::use_awaitable, ec));
            break;
        }
        python_turn(stream.get_executor());  // the loop's callback for the bytes read (data_received)
        Request req = parser.release();
        if (auto refusal = refused(req)) {
            co_await http::async_write(stream, *refusal, asio::redirect_error(asio::use_awaitable, ec));
            break;
        }
        if (is_websocket_upgrade(req)) {  // the connection becomes a WebSocket (websocket_session.hpp)
            stream.hold_open();
            co_await websocket_session(std::move(stream.socket()), std::move(req), handlers);
            co_return;
        }
        stream.expires_never();  // the work has no limit here; an answer that must wait gets its own (write_answer)
        // A connection whose request is read holds no read buffer while its work runs (unless the
        // client sent more already): 10,000 waiting requests would otherwise keep 5 MB of them.
        if (buffer.size() == 0) buffer.shrink_to_fit();
        const auto [id, read_us] = note_read(req, client_port, arrived);
        const std::string_view target(req.target().data(), req.target().size());
        Route r = route(std::string_view(req.method_string().data(), req.method_string().size()), target);
        Response res;
        co_await next_python_turn();  // the task's first step
        try {
            res = co_await respond(req, r, handlers, id);
        } catch (const std::exception& e) {  // a bug of ours must not cost the client its answer
            res = json_response(req.version(), http::status::internal_server_error, error_body(500, e.what()));
        }
        --server_stats().in_service;
        ++server_stats().requests_served;
        res.keep_alive(req.keep_alive());
        co_await write_answer(stream, res, idle, ec);
        co_await next_python_turn();  // the task's done callback
        live::send_mark(live::Mark::answered, client_port, monotonic_us(), std::to_string(res.result_int()));
        explain("#{} answered {}, {:.1f} ms after the loop read it", id, res.result_int(),
                static_cast<double>(monotonic_us() - read_us) / 1000.0);
        if (r.background && res.result() == http::status::accepted)  // accepted: its task now runs
            asio::co_spawn(stream.get_executor(), in_background(r, handlers, id, client_port), asio::detached);
        if (ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Handlers handlers, std::chrono::milliseconds idle) {
    for (;;) {
        std::optional<tcp::socket> socket = co_await accept_next(acceptor, "lab serve");
        if (!socket) co_return;  // closed: the server is stopping
        python_turn(acceptor.get_executor());  // the loop's callback for a new connection
        beast::error_code ec;
        socket->set_option(tcp::no_delay(true), ec);
        asio::co_spawn(acceptor.get_executor(), session(TimedSocket(std::move(*socket)), handlers, idle),
                       asio::detached);
    }
}

// The accept loop of a worker that does not accept: each descriptor the supervisor deals it is a
// connection already accepted, served exactly as accept_loop serves its own.
asio::awaitable<void> handed_loop(int channel, tcp protocol, Handlers handlers, std::chrono::milliseconds idle) {
    auto executor = co_await asio::this_coro::executor;
    asio::posix::stream_descriptor dealt{executor, channel};
    for (;;) {
        beast::error_code ec;
        co_await dealt.async_wait(asio::posix::stream_descriptor::wait_read, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        for (int fd; (fd = receive_descriptor(channel)) != -1;) {
            if (fd == -2) co_return;  // the supervisor is gone (and this worker goes with it)
            tcp::socket socket{executor};
            socket.assign(protocol, fd, ec);
            if (ec) {
                close(fd);
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            asio::co_spawn(executor, session(TimedSocket(std::move(socket)), handlers, idle), asio::detached);
        }
    }
}

}  // namespace

tcp::acceptor open_listener(asio::io_context& loop, const ServeOptions& options, bool reuse_port) {
    tcp::endpoint endpoint{listen_address(options.host), options.port};
    tcp::acceptor acceptor{loop};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (reuse_port)
        acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
    if (options.explain || !options.events_to.empty()) stamp_arrivals(acceptor.native_handle());  // told and drawn
    acceptor.bind(endpoint);
    acceptor.listen(65535);  // the kernel caps it at net.core.somaxconn
    return acceptor;
}

// What every serving process does before it takes connections: open its database pool.
static void prepare_to_serve() {
    if (ConnectionPool* pool = database())
        if (std::string why = pool->open_all(); !why.empty())
            std::fprintf(stderr, "lab serve: %s (each /db request tries again)\n", why.c_str());
}

void serve(tcp::acceptor& acceptor, Handlers handlers, const ServeOptions& options) {
    prepare_to_serve();
    loop_monitor().start(acceptor.get_executor(), std::chrono::milliseconds(options.slow_ms));
    asio::co_spawn(acceptor.get_executor(), accept_loop(acceptor, std::move(handlers), std::chrono::milliseconds(options.idle_timeout_ms)),
                   asio::detached);
}

void serve_handed(asio::io_context& loop, int channel, tcp protocol, Handlers handlers, const ServeOptions& options) {
    prepare_to_serve();
    loop_monitor().start(loop.get_executor(), std::chrono::milliseconds(options.slow_ms));
    asio::co_spawn(loop, handed_loop(channel, protocol, std::move(handlers), std::chrono::milliseconds(options.idle_timeout_ms)),
                   asio::detached);
}

asio::awaitable<ServiceRecord> compute_here(Micros cpu) {
    auto served = ServiceRecord::start();
    served.cpu_us = do_cpu_work(cpu);
    co_return std::move(served).finish();
}

asio::ip::address listen_address(const std::string& host) {
    return asio::ip::make_address(host);  // (--host's check made "localhost" 127.0.0.1)
}

void announce(const tcp::endpoint& endpoint) {
    // A URL puts an IPv6 address in brackets: http://[::1]:8000
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    std::printf("listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(endpoint.port()));
    std::fflush(stdout);
}

}  // namespace lab
