#include "lab/timed_socket.hpp"

#include <cstdio>

namespace lab {

asio::awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, const char* who) {
    constexpr std::chrono::milliseconds retry{100};
    for (bool said = false;;) {
        beast::error_code ec;
        tcp::socket socket =
            co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) co_return std::nullopt;
        if (!ec) co_return std::optional<tcp::socket>(std::move(socket));
        if (!std::exchange(said, true))
            std::fprintf(stderr, "%s: accept failed: %s; retrying every %d ms\n", who,
                         ec.message().c_str(), static_cast<int>(retry.count()));
        asio::steady_timer pause{acceptor.get_executor(), retry};
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!acceptor.is_open()) co_return std::nullopt;
    }
}

using Clock = std::chrono::steady_clock;

struct TimedSocket::Watch {
    tcp::socket socket;
    asio::steady_timer timer{socket.get_executor()};
    Clock::time_point due = Clock::time_point::max();  // the deadline that stands
    // When the timer's pending wait ends (max: none)
    Clock::time_point armed_for = Clock::time_point::max();
    unsigned generation = 0;  // of the pending wait; an older one's handler does nothing
    bool fired = false;  // the deadline passed and cancelled what was pending
    bool gone = false;  // the TimedSocket is destroyed

    explicit Watch(tcp::socket&& s) : socket(std::move(s)) {}
};

namespace {

// Waits until the watch's deadline; then cancels the connection's pending operation, or, if the
// deadline has moved later meanwhile, waits again until the new one.
void arm(const std::shared_ptr<TimedSocket::Watch>& watch);

void on_timer(const std::shared_ptr<TimedSocket::Watch>& watch, unsigned generation) {
    if (generation != watch->generation || watch->gone) return;  // re-armed sooner, or gone
    watch->armed_for = Clock::time_point::max();
    if (watch->due == Clock::time_point::max()) return;  // no deadline now: the next one arms
    if (Clock::now() < watch->due) return arm(watch);
    watch->fired = true;
    beast::error_code ignored;
    watch->socket.cancel(ignored);
}

void arm(const std::shared_ptr<TimedSocket::Watch>& watch) {
    watch->armed_for = watch->due;
    watch->timer.expires_at(watch->due);  // (cancels a wait pending for a later moment)
    watch->timer.async_wait([watch, generation = ++watch->generation](const beast::error_code&) {
        on_timer(watch, generation);
    });
}

}  // namespace

TimedSocket::TimedSocket(const executor_type& executor)
    : watch_(std::make_shared<Watch>(tcp::socket{executor})) {}

TimedSocket::TimedSocket(tcp::socket&& socket)
    : watch_(std::make_shared<Watch>(std::move(socket))) {
    never_block();  // (should it fail, the first write_some tries again and says why)
}

beast::error_code TimedSocket::never_block() {
    beast::error_code ec;
    watch_->socket.non_blocking(true, ec);
    return ec;
}

TimedSocket::~TimedSocket() {
    if (!watch_) return;  // moved from
    watch_->gone = true;
    close();
}

void TimedSocket::expires_after(Clock::duration limit) {
    watch_->due = Clock::now() + limit;
    watch_->fired = false;
    if (watch_->due < watch_->armed_for) arm(watch_);  // earlier than armed (or none pending)
}

void TimedSocket::expires_never() {
    watch_->due = Clock::time_point::max();
    watch_->fired = false;
}

void TimedSocket::hold_open() {
    expires_never();
    watch_->timer.cancel();
}

beast::error_code TimedSocket::error(const beast::error_code& ec) const {
    return watch_->fired && ec == asio::error::operation_aborted
               ? beast::error_code(beast::error::timeout)
               : ec;
}

tcp::socket& TimedSocket::socket() { return watch_->socket; }

void TimedSocket::close() {
    hold_open();
    beast::error_code ignored;
    watch_->socket.close(ignored);
}

}  // namespace lab
