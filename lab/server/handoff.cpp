#include "lab/server/handoff.hpp"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

#include "lab/socket_notes.hpp"

namespace lab {

bool handoff_channel(int ends[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) == 0;
}

Handed send_descriptor(int channel, int fd) {
    // One message: one byte of data (a message must carry at least one) and the descriptor.
    char byte = 'c';
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{.msg_iov = &data,
                   .msg_iovlen = 1,
                   .msg_control = control,
                   .msg_controllen = sizeof control};
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent;
    do sent = sendmsg(channel, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (sent < 0 && errno == EINTR);
    if (sent == 1) return Handed::sent;
    return sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? Handed::full : Handed::gone;
}

int receive_descriptor(int channel) {
    char byte;
    int fd = -1;  // stays -1 for a message that carries none
    long got;
    do got = read_with_note(channel, &byte, 1, SCM_RIGHTS, &fd, sizeof fd);
    while (got < 0 && errno == EINTR);
    if (got == 0) return -2;
    if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
    return fd;
}

}  // namespace lab
