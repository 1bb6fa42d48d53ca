#include "lab/server/http_server.hpp"

#include <cstdio>
#include <cstring>
#include <memory>

#include "lab/server/answer.hpp"
#include "lab/server/cpu_work.hpp"
#include "lab/server/explain.hpp"
#include "lab/server/http_messages.hpp"
#include "lab/server/gil.hpp"
#include "lab/server/loop_monitor.hpp"
#include "lab/server/routes.hpp"
#include "lab/server/server_stats.hpp"

namespace lab {
namespace {

constexpr std::chrono::milliseconds accept_retry{100};  // after a failed accept (EMFILE)


// Tells the class where and how long a request's work ran (with --explain).
void explain_work(long id, const char* what, const ServiceRecord& served) {
    explain("#%ld %s done: %.1f ms, on %s %d", id, what, static_cast<double>(served.end_us - served.start_us) / 1000.0,
            served.thread_id == gettid() ? "the loop's thread" : "pool thread", served.thread_id);
}

asio::awaitable<Response> respond(const Request& req, const Handlers& handlers, long id) {
    Route r = route(std::string_view(req.method_string().data(), req.method_string().size()),
                    std::string_view(req.target().data(), req.target().size()));
    if (r.kind == Route::Kind::delay) {
        explain("#%ld starts waiting %ld ms", id, static_cast<long>(r.amount.count() / 1000));
        std::int64_t turns = loop_monitor().turns(), handler = loop_monitor().handlers();
        ServiceRecord served = co_await handlers.wait(r.amount);  // the mode decides how
        if (loop_monitor().turns() == turns) loop_monitor().held(handler, served.start_us, served.end_us);
        explain_work(id, "wait", served);
        co_return answer_after(req, r, served);
    }
    if (r.kind == Route::Kind::cpu) {
        explain("#%ld starts computing %ld ms of CPU", id, static_cast<long>(r.amount.count() / 1000));
        std::int64_t turns = loop_monitor().turns(), handler = loop_monitor().handlers();
        ServiceRecord served = co_await handlers.compute(r.amount);  // and where
        if (loop_monitor().turns() == turns) loop_monitor().held(handler, served.start_us, served.end_us);
        explain_work(id, "computation", served);
        co_return answer_after(req, r, served);
    }
    co_return answer_now(req, r);
}

// `idle`: how long a connection may take to send a whole request, so that a client that sends
// half a header and stalls cannot hold a connection (and its memory) forever.
asio::awaitable<void> session(beast::tcp_stream stream, Handlers handlers, std::chrono::milliseconds idle) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(body_limit);
        beast::error_code ec;
        stream.expires_after(idle);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::connection_reset)
            break;
        if (ec) {  // malformed: say why, then close, since the byte stream can't be trusted
            co_await http::async_write(stream, unreadable(ec), asio::redirect_error(asio::use_awaitable, ec));
            break;
        }
        Request req = parser.release();
        if (auto refusal = refused(req)) {
            co_await http::async_write(stream, *refusal, asio::redirect_error(asio::use_awaitable, ec));
            break;
        }
        ServerStats& stats = server_stats();
        long id = ++stats.requests_received;
        ++stats.in_service;
        std::int64_t arrived = monotonic_us();
        explain("#%ld %s %s arrived", id, std::string(req.method_string()).c_str(), std::string(req.target()).c_str());
        loop_monitor().handler_started(std::string_view(req.target().data(), req.target().size()));
        Response res;
        try {
            res = co_await respond(req, handlers, id);
        } catch (const std::exception& e) {  // a bug of ours must not cost the client its answer
            res = json_response(req.version(), http::status::internal_server_error, error_body(500, e.what()));
        }
        --stats.in_service;
        ++stats.requests_served;
        res.keep_alive(req.keep_alive());
        // A client that stops reading (say, after pipelining many requests) must not hold the
        // connection forever either: the answer gets as long to leave as a request to arrive.
        stream.expires_after(idle);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        explain("#%ld answered %u, %.1f ms after it arrived", id, res.result_int(),
                static_cast<double>(monotonic_us() - arrived) / 1000.0);
        if (ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Handlers handlers, std::chrono::milliseconds idle) {
    bool said = false;
    for (;;) {
        beast::error_code ec;
        tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // E.g. out of file descriptors (EMFILE): the pending connection stays in the backlog,
            // so accepting again at once fails again at once and spins a core. Keep serving the
            // connections we have, and try again a little later.
            if (!std::exchange(said, true))
                std::fprintf(stderr, "accept failed: %s; retrying every %d ms\n", std::strerror(ec.value()),  // errno
                             static_cast<int>(accept_retry.count()));
            asio::steady_timer pause{acceptor.get_executor(), accept_retry};
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        said = false;
        socket.set_option(tcp::no_delay(true), ec);
        asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), handlers, idle),
                       asio::detached);
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
    acceptor.bind(endpoint);
    acceptor.listen(65535);  // the kernel caps it at net.core.somaxconn
    return acceptor;
}

void serve(tcp::acceptor& acceptor, Handlers handlers, const ServeOptions& options) {
    loop_monitor().start(acceptor.get_executor(), std::chrono::milliseconds(options.slow_ms));
    asio::co_spawn(acceptor.get_executor(), accept_loop(acceptor, std::move(handlers), std::chrono::milliseconds(options.idle_timeout_ms)),
                   asio::detached);
}

asio::awaitable<ServiceRecord> compute_here(Micros cpu) {
    auto served = ServiceRecord::start();
    served.cpu_us = do_cpu_work(cpu);
    co_return std::move(served).finish();
}

asio::ip::address listen_address(const std::string& host) {
    return asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host);
}

void announce(const tcp::endpoint& endpoint) {
    // A URL puts an IPv6 address in brackets: http://[::1]:8000
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    std::printf("listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(endpoint.port()));
    std::fflush(stdout);
}

}  // namespace lab
