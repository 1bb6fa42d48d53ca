#pragma once
// Waiting for a socket that a driver's library owns (libpq's, hiredis's), in the two ways the
// driver pairs differ by, and only by:
//   blocking  wait_until: this thread sleeps in poll() until the socket is ready, and serves no
//             one meanwhile (what libpq's PQexec and redis-py do inside);
//   awaiting  Watched::until: the loop watches the socket and the coroutine suspends until it is
//             ready, while the loop serves others (what asyncpg and redis.asyncio do).
#include "lab/asio.hpp"

namespace lab {

enum class Ready { to_read, to_write };

void wait_until(int fd, Ready ready);

class Watched {
public:
    Watched(asio::any_io_executor executor, int fd) : socket_(executor, fd) {}
    ~Watched() { socket_.release(); }  // let go of, not closed: the library owns the socket
    Watched(const Watched&) = delete;
    Watched& operator=(const Watched&) = delete;
    asio::awaitable<void> until(Ready ready);

private:
    asio::posix::stream_descriptor socket_;
};

}  // namespace lab
