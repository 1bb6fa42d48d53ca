#include "harness/websocket_load.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/beast/websocket.hpp>

#include "harness/tick_message.hpp"
#include "lab/asio.hpp"
#include "lab/clock.hpp"
#include "lab/os_limits.hpp"

namespace lab {
namespace {

namespace websocket = beast::websocket;
using WebSocket = websocket::stream<tcp::socket>;

std::chrono::steady_clock::time_point at_us(std::int64_t us) {
    return std::chrono::steady_clock::time_point(Micros(us));
}

// One batch's state, shared by its clients and its conductor, all on one thread.
struct Held {
    const WebSocketLoadSpec& spec;
    Batch batch{};
    std::int64_t origin_us = monotonic_us();
    std::vector<std::shared_ptr<WebSocket>> sockets{};  // by client; null until it starts opening
    std::vector<bool> open{};  // by client: open and not failed
    std::vector<std::int64_t> last_read_us{};  // by client: when it read its latest tick (0: none)
    int settled = 0;  // clients open or failed
    bool timing = false, done = false;
    std::int64_t hold_start_us = 0;
    std::optional<Tick> last_tick{};  // the latest any client read
    // The "wait MS" sent, until its reply is read (then ok)
    std::optional<RequestRecord> message{};

    std::int64_t since_origin(std::int64_t us) const { return us - origin_us; }
    RequestRecord& record(int client, ErrorKind kind, std::int64_t now_us) {
        RequestRecord& r = batch.requests.emplace_back();
        r.batch = batch.number;
        r.connection = client;
        r.error = kind;
        r.first_byte_us = r.end_us = since_origin(now_us);
        return r;
    }
    void fail(int client, ErrorKind kind, const beast::error_code& ec) {
        open[client] = false;
        record(client, kind, monotonic_us());
        if (kind == ErrorKind::connect && batch.connect_failure.empty())
            batch.connect_failure = ec.message();
        if (kind == ErrorKind::status && batch.foreign_message.empty())
            batch.foreign_message = "a frame RFC 6455 forbids (" + ec.message() + ")";
    }
    void read(int client, const Tick& tick, std::int64_t now_us) {
        last_tick = tick;
        // Due by the server's stamp, or a period after this client's last tick if that is earlier:
        // the client's own clock bounds a stamp that claims a held tick was on time.
        std::int64_t due_us = tick.due_us;
        if (last_read_us[client] > 0)
            due_us = std::min(due_us, last_read_us[client] + tick_every_us);
        last_read_us[client] = now_us;
        if (!timing || tick.due_us < hold_start_us) return;  // (before the hold: clients opening)
        RequestRecord& r = record(client, ErrorKind::none, now_us);
        r.index = static_cast<int>(tick.number);
        r.status = 101;  // (Switching Protocols: a WebSocket's)
        r.intended_us = r.send_us = since_origin(due_us);
        if (spec.observer) spec.observer->answered(r);
    }
    // A message that is neither a tick (as text) nor a reply: recorded as what it is, kept once.
    void foreign(int client, const std::string& message, bool text, std::int64_t now_us) {
        if (batch.foreign_message.empty())
            batch.foreign_message =
                text ? "'" + message.substr(0, 80) + "'"
                     : "a binary message of " + std::to_string(message.size()) + " bytes";
        if (!timing) return;
        RequestRecord& r = record(client, ErrorKind::status, now_us);
        r.status = 101;
        r.bytes = message.size();
    }
    void sent(int client, std::int64_t at_us) {
        message.emplace();
        message->batch = batch.number;
        message->connection = client;
        message->intended_us = message->send_us = since_origin(at_us);
        message->error = ErrorKind::timeout;  // until its reply is read
    }
    void replied(int client, std::int64_t now_us) {
        if (!message || message->connection != client || message->ok()) return;
        message->first_byte_us = message->end_us = since_origin(now_us);
        message->status = 101;
        message->error = ErrorKind::none;
    }
};

// Why a client's read failed: a message over the lab's limit, or a frame RFC 6455 forbids (text
// that is not UTF-8: the lab's client must close then), both what the server sent (the lab
// closed), else the connection broke or the server closed it.
ErrorKind failure_of(const beast::error_code& ec) {
    if (ec == websocket::error::message_too_big) return ErrorKind::body_over_limit;
    if (ec == websocket::condition::protocol_violation) return ErrorKind::status;
    return ErrorKind::read;
}

// One client: open, then read every tick until the conductor says done, then close.
asio::awaitable<void> hold_one(Held& held, tcp::endpoint server, int client) {
    auto ws = std::make_shared<WebSocket>(co_await asio::this_coro::executor);
    held.sockets[client] = ws;
    beast::error_code ec;
    co_await ws->next_layer().async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec)
        co_await ws->async_handshake(held.spec.host, held.spec.target,
                                     asio::redirect_error(asio::use_awaitable, ec));
    ++held.settled;
    if (ec) {
        held.fail(client, ErrorKind::connect, ec);
        co_return;
    }
    held.open[client] = true;
    ws->read_message_max(most_websocket_message);
    beast::flat_buffer buffer;
    while (!held.done) {
        co_await ws->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
        const std::int64_t now_us = monotonic_us();
        if (ec) {
            if (!held.done) held.fail(client, failure_of(ec), ec);
            co_return;
        }
        const std::string text = beast::buffers_to_string(buffer.data());
        if (auto tick = ws->got_text() ? read_tick(text) : std::nullopt)
            held.read(client, *tick, now_us);
        else if (is_reply(text)) held.replied(client, now_us);
        else held.foreign(client, text, ws->got_text(), now_us);
        buffer.consume(buffer.size());
    }
    co_await ws->async_close(websocket::close_code::normal,
                             asio::redirect_error(asio::use_awaitable, ec));
}

// The first tick due `wait_at` into the hold or later, from the latest tick read.
std::int64_t message_tick_due_us(const Held& held) {
    const Tick& last = *held.last_tick;
    const std::int64_t aim = held.hold_start_us + held.spec.wait_at.count() * 1000;
    if (last.due_us >= aim) return last.due_us + last.every_us;
    return last.due_us + (aim - last.due_us + last.every_us - 1) / last.every_us * last.every_us;
}

// After the hold each client closes on its next tick; one still reading a second past the wait (no
// tick comes, or only binary; any reply has) is closed then, so the batch ends, not at its bound.
asio::awaitable<void> close_the_last(Held& held, asio::steady_timer& timer) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1) +
                       std::chrono::milliseconds(held.spec.wait_ms);
    auto reading = [&](std::size_t c) { return held.open[c] && held.sockets[c]->is_open(); };
    for (std::size_t c = 0; c < held.sockets.size(); ++c)
        while (reading(c) && std::chrono::steady_clock::now() < until) {
            timer.expires_after(std::chrono::milliseconds(5));
            co_await timer.async_wait(asio::use_awaitable);
        }
    for (std::size_t c = 0; c < held.sockets.size(); ++c)  // (one closing finishes its close)
        if (beast::error_code ec; reading(c)) held.sockets[c]->next_layer().close(ec);
}

// The batch's course: every client open (or out of time), the memory read while they are held,
// ticks timed for the hold, and the one message sent just before a tick is due.
asio::awaitable<void> conduct(Held& held) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto open_by = std::chrono::steady_clock::now() + held.spec.open_within;
    while (held.settled < held.spec.clients && std::chrono::steady_clock::now() < open_by) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
    }
    const int open = static_cast<int>(std::count(held.open.begin(), held.open.end(), true));
    if (held.spec.on_held && open > 0) held.spec.on_held(open);
    held.hold_start_us = monotonic_us();
    held.timing = true;
    beast::error_code ec;
    while (!held.last_tick &&
           monotonic_us() < held.hold_start_us + held.spec.wait_at.count() * 1000) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(asio::use_awaitable);
    }
    const auto sender = std::find(held.open.begin(), held.open.end(), true);
    if (sender != held.open.end()) {  // (no tick read by then: sent at once, so a reply is timed)
        if (held.last_tick) timer.expires_at(at_us(message_tick_due_us(held)) - wait_lead);
        co_await timer.async_wait(asio::use_awaitable);
        const std::string message = wait_text(held.spec.wait_ms);
        held.sent(static_cast<int>(sender - held.open.begin()), monotonic_us());
        co_await held.sockets[sender - held.open.begin()]->async_write(
            asio::buffer(message), asio::redirect_error(asio::use_awaitable, ec));
    }
    timer.expires_at(at_us(held.hold_start_us) + held.spec.hold);
    co_await timer.async_wait(asio::use_awaitable);
    held.done = true;  // each client closes after its next tick
    co_await close_the_last(held, timer);
}

// The server's address, on this machine; throws for a count of clients out of bounds.
asio::ip::address checked(const WebSocketLoadSpec& spec) {
    if (spec.clients < 1 || spec.clients > most_websocket_clients)
        throw std::invalid_argument("WebSocket clients must be from 1 to " +
                                    std::to_string(most_websocket_clients));
    beast::error_code ec;
    auto address = asio::ip::make_address(spec.host == "localhost" ? "127.0.0.1" : spec.host, ec);
    if (ec || !address.is_loopback())
        throw std::invalid_argument("a WebSocket load goes to this machine only (loopback), not " +
                                    spec.host);
    return address;
}

}  // namespace

Batch run_websocket_batch(const WebSocketLoadSpec& spec, int batch_number) {
    const tcp::endpoint server{checked(spec), spec.port};
    raise_open_file_limit();  // a descriptor per client
    Held held{spec};
    held.batch.number = batch_number;
    held.sockets.resize(spec.clients);
    held.open.assign(spec.clients, false);
    held.last_read_us.assign(spec.clients, 0);
    BatchEnd end{spec.observer, batch_number};
    if (spec.observer) spec.observer->batch_started(batch_number, held.origin_us, 0);
    {
        asio::io_context loop{1};
        for (int c = 0; c < spec.clients; ++c)
            asio::co_spawn(loop, hold_one(held, server, c), asio::detached);
        asio::co_spawn(loop, conduct(held), asio::detached);
        // Bounded: opening, the hold, and a second for the closes (a server that never answers a
        // close, or has stopped, is left then: its sockets close as the loop goes).
        loop.run_for(spec.open_within + spec.hold + std::chrono::seconds(1));
        held.batch.cut_off = !held.done;
        std::vector<bool> recorded(spec.clients, false);
        for (const RequestRecord& r : held.batch.requests) recorded[r.connection] = true;
        for (int c = 0; c < spec.clients; ++c)  // open, and read nothing in the hold
            if (held.open[c] && !recorded[c]) held.record(c, ErrorKind::timeout, monotonic_us());
        if (held.message) held.batch.probes.push_back(*held.message);  // (timeout: never replied)
        held.sockets.clear();
    }
    return std::move(held.batch);
}

}  // namespace lab
