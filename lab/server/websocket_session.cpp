#include "lab/server/websocket_session.hpp"

#include <cstdio>
#include <memory>
#include <vector>

#include <boost/beast/websocket.hpp>

#include "harness/tick_message.hpp"
#include "lab/clock.hpp"

namespace lab {
namespace {

namespace websocket = beast::websocket;

constexpr Micros tick_every{tick_every_us};  // the lesson's 100 ms between ticks

// One open WebSocket. Its session reads; the ticker and the session's reply write, in turn
// (Beast allows one read and one write at a time on a stream).
struct Listener {
    explicit Listener(tcp::socket socket) : ws(std::move(socket)) {}
    websocket::stream<tcp::socket> ws;
    bool open = true, writing = false;
};

// One message to `l`, once no other write is under way on it: a reply due while the ticker
// writes there waits for that tick to go out. (All on the loop's one thread: a flag, no lock.)
asio::awaitable<void> write_in_turn(Listener& l, const std::string& text, beast::error_code& ec) {
    while (l.writing) {
        asio::steady_timer pause(co_await asio::this_coro::executor, Micros(100));
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    l.writing = true;
    co_await l.ws.async_write(asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
    l.writing = false;
}

// Every open WebSocket of this process, and whether the ticker runs. Touched by the loop's one
// thread only (sessions and the ticker all run on it).
struct Listeners {
    std::vector<std::shared_ptr<Listener>> all;
    bool ticking = false;
};
Listeners& listeners() {
    static Listeners l;
    return l;
}

// The broadcast: at each due time, the tick to every open WebSocket, one after another, as a
// Python handler's `for ws in clients: await ws.send_text(tick)` sends it. Due times are fixed
// from the first (a late tick does not move the next one), so a tick's lateness is the loop's.
// Stops when the last WebSocket has gone; the next to open starts it again.
asio::awaitable<void> tick_while_open() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const std::int64_t first_us = monotonic_us() + tick_every.count();
    for (std::int64_t k = 0; !listeners().all.empty(); ++k) {
        const Tick tick{k, first_us + k * tick_every.count(), tick_every.count()};
        // (steady_clock is CLOCK_MONOTONIC)
        timer.expires_at(std::chrono::steady_clock::time_point(Micros(tick.due_us)));
        beast::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        const std::string text = tick_text(tick);
        const auto now_open = listeners().all;  // (a client may leave while the others are sent to)
        for (const auto& l : now_open) {
            if (!l->open) continue;
            co_await write_in_turn(*l, text, ec);
            if (ec) l->open = false;
        }
    }
    listeners().ticking = false;
}

void join(const std::shared_ptr<Listener>& l, const asio::any_io_executor& loop) {
    listeners().all.push_back(l);
    if (listeners().ticking) return;
    listeners().ticking = true;
    asio::co_spawn(loop, tick_while_open(), asio::detached);
}

void leave(const std::shared_ptr<Listener>& l) {
    l->open = false;
    std::erase(listeners().all, l);
}

}  // namespace

bool is_websocket_upgrade(const Request& req) {
    const std::string_view target(req.target().data(), req.target().size());
    return target == "/ws" && websocket::is_upgrade(req);
}

asio::awaitable<void> websocket_session(tcp::socket socket, Request req, Handlers handlers) {
    auto l = std::make_shared<Listener>(std::move(socket));
    l->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    l->ws.read_message_max(1024);  // "wait MS" is a few bytes
    beast::error_code ec;
    co_await l->ws.async_accept(req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    join(l, l->ws.get_executor());
    beast::flat_buffer buffer;
    while (l->open) {
        co_await l->ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        const std::string text = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        const std::optional<int> ms = read_wait(text);
        if (!ms) {  // said, and closed without a close frame (that would race the ticker's writes)
            std::fprintf(stderr,
                         "lab serve: closed a WebSocket whose message was not \"wait MS\" (MS from "
                         "0 to %d)\n",
                         most_wait_ms);
            break;
        }
        // The mode's way: on the loop, or awaited.
        co_await handlers.wait(Micros(std::int64_t{*ms} * 1000));
        co_await write_in_turn(*l, reply_text(*ms), ec);  // the reply: the wait is done
        if (ec) break;
    }
    leave(l);
    beast::get_lowest_layer(l->ws).close(ec);
}

}  // namespace lab
