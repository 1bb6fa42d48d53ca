#pragma once
// The next connection (accept_next), and a TCP connection with a time limit on its reads and
// writes, as Beast's tcp_stream has, but kept by one lazy timer: setting a deadline only writes it
// down.
//
// Why: Beast's tcp_stream starts a timer for every read and write and cancels it when the
// operation completes: two more operations per request, which cost a load tester or a server
// about a tenth of its speed at 90,000 requests a second (and, on 10,000 connections, a bigger
// timer heap). Here the timer is set once; when it fires it closes in on the deadline that
// stands then (deadlines only move later: "now + limit", request after request), and only a
// deadline that has really passed cancels the connection's pending operation. That operation
// then completes with operation_aborted, which error() turns into beast::error::timeout, as
// tcp_stream reports it.
//
// One thread at a time, like the socket: the loop that runs its operations.
#include <chrono>
#include <memory>
#include <optional>

#include "lab/asio.hpp"

namespace lab {

// The next connection, for every server of the lab (`lab serve`'s loop and the live view's hub);
// nullopt once the acceptor is closed. An accept that fails (EMFILE: out of file descriptors)
// leaves the connection in the backlog, so trying again at once fails again at once and spins a
// core: it is said once on stderr (`who` says whose), and tried again every 100 ms, while the
// connections already open keep being served.
asio::awaitable<std::optional<tcp::socket>> accept_next(tcp::acceptor& acceptor, const char* who);

class TimedSocket {
public:
    using executor_type = tcp::socket::executor_type;

    explicit TimedSocket(const executor_type& executor);  // to connect (open, never_block, connect)
    explicit TimedSocket(tcp::socket&& socket);  // an accepted connection, never_block() already
    TimedSocket(TimedSocket&&) noexcept = default;
    TimedSocket& operator=(TimedSocket&&) noexcept = default;
    ~TimedSocket();  // closes the connection; a timer still pending then touches nothing

    // The next reads and writes must be done within `limit` from now (or never time out).
    void expires_after(std::chrono::steady_clock::duration limit);
    void expires_never();
    // No deadline and no timer pending: for a connection kept open and idle while its loop is
    // meant to run out of work (a pending timer is work: the loop would wait for it).
    void hold_open();
    // Sets the (open) socket non-blocking now, one system call, so that its first write_some makes
    // none in the middle of a request, and Asio, finding it set, makes none of its own when its
    // first read or connect starts: one per connection, not two. (c10k's 10,000 answers, and the
    // harness's 10,000 requests, each made one while the lesson's clock ran.) Returns the error,
    // if the socket could not be set so.
    beast::error_code never_block();
    // `ec` as the operation's caller should read it: a timeout where the deadline cancelled it.
    beast::error_code error(const beast::error_code& ec) const;

    tcp::socket& socket();
    void close();  // it may be connected again
    executor_type get_executor() { return socket().get_executor(); }

    // Beast's AsyncReadStream and AsyncWriteStream, straight on the socket.
    template <class Buffers, class Token>
    auto async_read_some(const Buffers& buffers, Token&& token) {
        return socket().async_read_some(buffers, std::forward<Token>(token));
    }
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& buffers, Token&& token) {
        return socket().async_write_some(buffers, std::forward<Token>(token));
    }
    // And Beast's SyncWriteStream, which never waits: it sends at once what the socket takes, as
    // asyncio's transport.write does, and says would_block when the socket's buffer is full; what
    // is left then goes through the loop (async_write_some), under the time limit.
    template <class Buffers>
    std::size_t write_some(const Buffers& buffers, beast::error_code& ec) {
        ec = socket().non_blocking() ? beast::error_code{}
                                     : never_block();  // (set at accept or connect)
        return ec ? 0 : socket().write_some(buffers, ec);
    }
    template <class Buffers>
    std::size_t write_some(const Buffers& buffers) {  // (the concept asks for both forms)
        beast::error_code ec;
        std::size_t sent = write_some(buffers, ec);
        if (ec) throw beast::system_error(ec);
        return sent;
    }

    // The socket and its timer, shared with the timer's handler (lab/timed_socket.cpp).
    struct Watch;

private:
    std::shared_ptr<Watch> watch_;
};

}  // namespace lab
