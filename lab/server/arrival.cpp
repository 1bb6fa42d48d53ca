#include "lab/server/arrival.hpp"

#include <atomic>
#include <ctime>

#include <sys/socket.h>

#include "lab/clock.hpp"
#include "lab/socket_notes.hpp"

namespace lab {

namespace {

std::atomic<bool> asked{false};

// The stamp is by the wall clock; the server's marks are monotonic. Now by both tells the offset.
std::int64_t as_monotonic_us(const timespec& stamp) {
    timespec wall{};
    clock_gettime(CLOCK_REALTIME, &wall);
    std::int64_t ago_us =
        (wall.tv_sec - stamp.tv_sec) * 1'000'000 + (wall.tv_nsec - stamp.tv_nsec) / 1000;
    return monotonic_us() - ago_us;
}

}  // namespace

void stamp_arrivals(int listening_fd) {
    // If refused, nothing is stamped: each request's read time then stands for its arrival
    int on = 1;
    asked = setsockopt(listening_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

bool stamping_arrivals() { return asked; }

WaitingBytes read_waiting(int fd, void* into, std::size_t room) {
    timespec stamp{};
    long got = read_with_note(fd, into, room, SCM_TIMESTAMPNS, &stamp, sizeof stamp);
    if (got <= 0) return {};  // nothing waiting (or the peer gone: the usual read will say so)
    return {got, stamp.tv_sec == 0 && stamp.tv_nsec == 0 ? 0 : as_monotonic_us(stamp)};
}

}  // namespace lab
