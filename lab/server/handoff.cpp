#include "lab/server/handoff.hpp"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

namespace lab {
namespace {

// One message: one byte of data (a message must carry at least one) and room for one descriptor.
struct Envelope {
    char byte = 'c';
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};

    Envelope() {
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;
    }
    Envelope(const Envelope&) = delete;  // the message points into the envelope itself
};

}  // namespace

bool handoff_channel(int ends[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) == 0;
}

Handed send_descriptor(int channel, int fd) {
    Envelope e;
    cmsghdr* header = CMSG_FIRSTHDR(&e.message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent;
    do sent = sendmsg(channel, &e.message, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (sent < 0 && errno == EINTR);
    if (sent == 1) return Handed::sent;
    return sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? Handed::full : Handed::gone;
}

int receive_descriptor(int channel) {
    Envelope e;
    ssize_t got;
    do got = recvmsg(channel, &e.message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    if (got == 0) return -2;
    if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
    cmsghdr* header = CMSG_FIRSTHDR(&e.message);
    if (!header || header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
    return fd;
}

}  // namespace lab
