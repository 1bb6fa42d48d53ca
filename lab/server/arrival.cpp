#include "lab/server/arrival.hpp"

#include <atomic>
#include <ctime>
#include <cstring>

#include <sys/socket.h>

#include "lab/clock.hpp"

namespace lab {

namespace {

std::atomic<bool> asked{false};

// The stamp is by the wall clock; the server's marks are monotonic. Now by both tells the offset.
std::int64_t as_monotonic_us(const timespec& stamp) {
    timespec wall{};
    clock_gettime(CLOCK_REALTIME, &wall);
    std::int64_t ago_us = (wall.tv_sec - stamp.tv_sec) * 1'000'000 + (wall.tv_nsec - stamp.tv_nsec) / 1000;
    return monotonic_us() - ago_us;
}

}  // namespace

void stamp_arrivals(int listening_fd) {
    int on = 1;  // if refused, nothing is stamped: each request's read time then stands for its arrival
    asked = setsockopt(listening_fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) == 0;
}

bool stamping_arrivals() { return asked; }

WaitingBytes read_waiting(int fd, void* into, std::size_t room) {
    iovec data{into, room};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t got = recvmsg(fd, &message, MSG_DONTWAIT);
    if (got <= 0) return {};  // nothing waiting (or the peer gone: the usual read will say so)
    WaitingBytes waiting{static_cast<long>(got), 0};
    for (cmsghdr* part = CMSG_FIRSTHDR(&message); part; part = CMSG_NXTHDR(&message, part))
        if (part->cmsg_level == SOL_SOCKET && part->cmsg_type == SCM_TIMESTAMPNS) {
            timespec stamp{};
            std::memcpy(&stamp, CMSG_DATA(part), sizeof stamp);
            waiting.arrived_us = as_monotonic_us(stamp);
        }
    return waiting;
}

}  // namespace lab
