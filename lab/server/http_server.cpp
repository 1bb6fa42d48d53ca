#include "lab/server/http_server.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <optional>

#include <sys/socket.h>
#include <unistd.h>

#include "lab/compute/cpu_work.hpp"
#include "lab/compute/python_turns.hpp"
#include "lab/drivers/connection_pool.hpp"
#include "lab/drivers/http_client.hpp"
#include "lab/server/answer.hpp"
#include "lab/server/handoff.hpp"
#include "lab/server/job_endpoints.hpp"
#include "lab/server/loop_monitor.hpp"
#include "lab/server/websocket_session.hpp"
#include "lab/socket_notes.hpp"
#include "lab/timed_socket.hpp"

namespace lab {
namespace {

// The work a route asks for, done the mode's way (its handlers decide how, and where); both null
// for a route answered at once.
struct WorkOf {
    const Work* work = nullptr;  // what takes an amount of time
    const Query* query = nullptr;  // or what asks PostgreSQL
};
WorkOf work_of(const Route& r, const Handlers& handlers) {
    switch (r.kind) {
        case Route::Kind::delay: return {&handlers.wait, nullptr};
        case Route::Kind::cpu: return {&handlers.compute, nullptr};
        case Route::Kind::db:
        case Route::Kind::user: return {nullptr, &handlers.query};
        case Route::Kind::fetch: return {&handlers.call, nullptr};
        case Route::Kind::cache: return {&handlers.cache, nullptr};
        default: return {};
    }
}

// The route's work, the watch told as it starts and once it is done.
asio::awaitable<ServiceRecord> do_work(const Route& r, const WorkOf& w, RequestWatch& watch) {
    watch.started(r);
    ServiceRecord served;  // (no co_await inside ?:, which g++ 12 mistranslates)
    if (w.query) served = co_await (*w.query)(DbQuery{r.amount, r.user_id});
    else served = co_await (*w.work)(r.amount);
    python_turn(co_await asio::this_coro::executor);  // the loop resumes the request's task
    watch.done(served);
    co_return served;
}

// A background task's work, started once its 202 has been written, as Starlette runs FastAPI's
// BackgroundTasks after the response: by the mode's own handler, so an `async def` task that
// computes holds the loop (blocking-in-loop, async-sleep) and a `def` task goes to the pool.
asio::awaitable<void> in_background(Route r, long number, Handlers handlers,
                                    std::unique_ptr<RequestWatch> watch) {
    try {
        co_await do_work(r, work_of(r, handlers), *watch);
    } catch (const std::exception& e) {  // nobody awaits a task: say what went wrong
        std::fprintf(stderr, "background task #%ld failed: %s\n", number, e.what());
    }
}

// Why a route's work cannot be done here: a service this server was not given (nullptr: none).
const char* missing_service(const Route& r, const WorkOf& w) {
    bool queue = r.kind == Route::Kind::job_submit || r.kind == Route::Kind::job_status;
    if (w.query && !database())
        return "no database: start lab serve with --database-url URL, or --private-database";
    if ((r.kind == Route::Kind::cache || queue) && !redis())
        return "no Redis: start lab serve with --redis-url unix:///PATH, or --private-redis";
    if (r.kind == Route::Kind::fetch && !downstream())
        return "no downstream: start lab serve with --downstream-url http://HOST:PORT";
    return nullptr;
}

// The answer a route gets: at once, or after its work (a 503 if that needs a service missing here).
asio::awaitable<Response> answer(const Request& req, const Route& r, long number,
                                 const Handlers& handlers, RequestWatch& watch) {
    WorkOf w = work_of(r, handlers);
    if (const char* missing = missing_service(r, w))
        co_return json_response(req.version(), http::status::service_unavailable,
                                error_body(503, missing));
    if (r.kind == Route::Kind::job_submit || r.kind == Route::Kind::job_status)
        co_return answer_job(req, r, *redis());  // the job's work is done by `lab worker`
    if (!w.work && !w.query) co_return answer_now(req, r);
    if (r.background) co_return accepted(req, r, number);  // the session starts the task
    ServiceRecord served = co_await do_work(r, w, watch);
    co_return answer_after(req, r, served);
}

// The request's task, in the emulated interpreter's turns as asyncio takes them (under --gil;
// lab/compute/python_turns.hpp): data_received creates the task, whose first step runs the route;
// the mode's handler answers (and a bug of ours must not cost the client its answer).
asio::awaitable<Response> respond(const Request& req, const Route& r, long number,
                                  const Handlers& handlers, RequestWatch& watch) {
    python_turn(co_await asio::this_coro::executor);  // data_received: the request's bytes read
    watch.read(req, number);
    co_await next_python_turn();  // the task's first step
    Response res;
    try {
        res = co_await answer(req, r, number, handlers, watch);
    } catch (const std::exception& e) {
        res = json_response(req.version(), http::status::internal_server_error,
                            error_body(500, e.what()));
    }
    res.keep_alive(req.keep_alive());
    co_return res;
}

// When a request's bytes reached the server, as against when its loop read them. A server sees
// only the second; in a blocked loop the first can be seconds earlier, the request waiting in
// its socket all the while. The kernel knows: asked to (SO_TIMESTAMPNS on the listening socket,
// which every accepted socket inherits: open_listener), it stamps each packet as it arrives, and
// a read hands the stamp over beside the bytes. A server that explains (--explain) or sends live
// marks (--events-to, which --live passes) asks; this says whether the kernel agreed (if not,
// nothing is stamped: each request's read time then stands for its arrival).
std::atomic<bool> stamping_arrivals{false};

// Reads what already waits on `fd` into `buffer` (never blocking), and returns the kernel's stamp
// of its arrival (0: none waited). Bytes that were not waiting are read by the server's usual read
// the moment they come, so their arrival is when they were read: only waiting bytes need a stamp.
std::int64_t read_waiting(int fd, beast::flat_buffer& buffer) {
    auto room = buffer.prepare(RequestParser::most_header_bytes);
    timespec stamp{};
    long got = read_with_note(fd, room.data(), room.size(), SCM_TIMESTAMPNS, &stamp, sizeof stamp);
    if (got <= 0) return 0;  // nothing waiting (or the peer gone: the usual read will say so)
    buffer.commit(static_cast<std::size_t>(got));
    if (stamp.tv_sec == 0 && stamp.tv_nsec == 0) return 0;
    // The stamp is by the wall clock; the server's marks are monotonic. Now by both tells the
    // offset.
    timespec wall{};
    clock_gettime(CLOCK_REALTIME, &wall);
    return monotonic_us() -
           ((wall.tv_sec - stamp.tv_sec) * 1'000'000 + (wall.tv_nsec - stamp.tv_nsec) / 1000);
}

// The next request on the connection, read within `idle`, so that a client that sends half a
// header and stalls cannot hold a connection (and its memory) forever. None when the connection
// is done: closed, stalled, or sent what cannot be served (answered with why, since the byte
// stream after it cannot be trusted). Bytes that already wait are taken first, with the kernel's
// stamp of their arrival for the watch (bytes in the buffer came with the last request).
asio::awaitable<std::optional<Request>> read_request(TimedSocket& stream,
                                                     beast::flat_buffer& buffer,
                                                     std::chrono::milliseconds idle,
                                                     RequestWatch& watch) {
    RequestParser parser;
    beast::error_code ec;
    if (stamping_arrivals && buffer.size() == 0)
        watch.arrived(read_waiting(stream.socket().native_handle(), buffer));
    stream.expires_after(idle);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    ec = stream.error(ec);
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset)
        co_return std::nullopt;
    if (std::optional<Response> refusal = ec ? unreadable(ec) : refused(parser.get())) {
        co_await http::async_write(stream, *refusal, asio::redirect_error(asio::use_awaitable, ec));
        co_return std::nullopt;
    }
    // The work has no limit here; an answer that must wait gets its own (write_answer).
    stream.expires_never();
    // A connection whose request is read holds no read buffer while its work runs (unless the
    // client sent more already): 10,000 waiting requests would otherwise keep 5 MB of them.
    if (buffer.size() == 0) buffer.shrink_to_fit();
    co_return parser.release();
}

// Writes an answer as asyncio's transport.write does: at once (TimedSocket::write_some), and
// through the loop only for what is left when the socket's buffer is full. Most answers leave
// whole in the first send, with no trip through the loop's queue. A client that stops reading
// (say, after pipelining many requests) must not hold the connection forever, though: what is
// left gets as long to leave as a request gets to arrive, `idle`.
asio::awaitable<beast::error_code> write_answer(TimedSocket& stream, Response& res,
                                                std::chrono::milliseconds idle) {
    http::response_serializer<http::string_body> serializer{res};
    beast::error_code ec;
    while (!ec && !serializer.is_done()) http::write_some(stream, serializer, ec);
    if (ec != asio::error::would_block) co_return ec;
    ec = {};
    stream.expires_after(idle);
    co_await http::async_write(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

// What the connections of one server share: the mode's handlers, how long a request may take to
// arrive, the watch each request is told to, and the count that numbers the requests (touched by
// the loop's one thread only).
struct Server {
    Handlers handlers;
    std::chrono::milliseconds idle;
    WatchMaker watch;
    long requests_read = 0;
};

// One connection, request after request, as Beast's example/http/server/coro do_session: read,
// respond, write. Each request's watch notes each step (request_watch.hpp); it changes none.
asio::awaitable<void> session(TimedSocket stream, std::shared_ptr<Server> server) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    const int client_port = stream.socket().remote_endpoint(ec).port();
    for (;;) {
        // Read the next request (none: the connection is done).
        std::unique_ptr<RequestWatch> watch = server->watch(client_port);
        std::optional<Request> req = co_await read_request(stream, buffer, server->idle, *watch);
        if (!req) break;
        // A WebSocket's handshake: the connection becomes a WebSocket (websocket_session.hpp).
        if (is_websocket_upgrade(*req)) {
            stream.hold_open();
            co_await websocket_session(std::move(stream.socket()), std::move(*req),
                                       server->handlers);
            co_return;
        }
        // Respond: the route's work, done by the mode's handler.
        const long number = ++server->requests_read;
        const Route r =
            route(std::string_view(req->method_string().data(), req->method_string().size()),
                  std::string_view(req->target().data(), req->target().size()));
        Response res = co_await respond(*req, r, number, server->handlers, *watch);
        // Write the answer (at once, through the loop only if the socket is full), and note it.
        ec = co_await write_answer(stream, res, server->idle);
        const bool task_follows = r.background && res.result() == http::status::accepted;
        watch->answered(res, task_follows);
        co_await next_python_turn();  // the task's done callback
        // Its background task, if it has one, starts now that its 202 is written.
        if (task_follows)
            asio::co_spawn(stream.get_executor(),
                           in_background(r, number, server->handlers, std::move(watch)),
                           asio::detached);
        if (ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<Server> server) {
    for (;;) {
        std::optional<tcp::socket> socket = co_await accept_next(acceptor, "lab serve");
        if (!socket) co_return;  // closed: the server is stopping
        python_turn(acceptor.get_executor());  // the loop's callback for a new connection
        beast::error_code ec;
        socket->set_option(tcp::no_delay(true), ec);
        asio::co_spawn(acceptor.get_executor(), session(TimedSocket(std::move(*socket)), server),
                       asio::detached);
    }
}

// The accept loop of a worker that does not accept: each descriptor the supervisor deals it is a
// connection already accepted, served exactly as accept_loop serves its own.
asio::awaitable<void> handed_loop(int channel, tcp protocol, std::shared_ptr<Server> server) {
    auto executor = co_await asio::this_coro::executor;
    asio::posix::stream_descriptor dealt{executor, channel};
    for (;;) {
        beast::error_code ec;
        co_await dealt.async_wait(asio::posix::stream_descriptor::wait_read,
                                  asio::redirect_error(asio::use_awaitable, ec));
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
            asio::co_spawn(executor, session(TimedSocket(std::move(socket)), server),
                           asio::detached);
        }
    }
}

}  // namespace

tcp::acceptor open_listener(asio::io_context& loop, const ServeOptions& options, bool reuse_port) {
    tcp::endpoint endpoint{asio::ip::make_address(options.host), options.port};
    tcp::acceptor acceptor{loop};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (reuse_port)
        acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
    if (options.explain || !options.events_to.empty()) {  // told and drawn
        int on = 1;
        stamping_arrivals =
            setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
    }
    acceptor.bind(endpoint);
    acceptor.listen(65535);  // the kernel caps it at net.core.somaxconn
    return acceptor;
}

// What every serving process does before it takes connections: open its database pool, and
// start the loop monitor. Returns what its connections share.
static std::shared_ptr<Server> prepare_to_serve(const asio::any_io_executor& loop,
                                                Handlers handlers, const ServeOptions& options,
                                                WatchMaker watch) {
    if (ConnectionPool* pool = database())
        if (std::string why = pool->open_all(); !why.empty())
            std::fprintf(stderr, "lab serve: %s (each /db request tries again)\n", why.c_str());
    loop_monitor().start(loop, std::chrono::milliseconds(options.slow_ms));
    return std::make_shared<Server>(
        Server{std::move(handlers), std::chrono::milliseconds(options.idle_timeout_ms), watch});
}

void serve(tcp::acceptor& acceptor, Handlers handlers, const ServeOptions& options,
           WatchMaker watch) {
    auto server = prepare_to_serve(acceptor.get_executor(), std::move(handlers), options, watch);
    asio::co_spawn(acceptor.get_executor(), accept_loop(acceptor, server), asio::detached);
}

void serve_handed(asio::io_context& loop, int channel, tcp protocol, Handlers handlers,
                  const ServeOptions& options) {
    auto server =
        prepare_to_serve(loop.get_executor(), std::move(handlers), options, watch_request);
    asio::co_spawn(loop, handed_loop(channel, protocol, server), asio::detached);
}

asio::awaitable<ServiceRecord> compute_here(Micros cpu) {
    auto served = ServiceRecord::start();
    served.cpu_us = do_cpu_work(cpu);
    co_return std::move(served).finish();
}

void announce(const tcp::endpoint& endpoint) {
    // A URL puts an IPv6 address in brackets: http://[::1]:8000
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    std::printf("listening on http://%s:%u\n", host.c_str(),
                static_cast<unsigned>(endpoint.port()));
    std::fflush(stdout);
}

}  // namespace lab
