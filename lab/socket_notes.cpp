#include "lab/socket_notes.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace lab {

long read_with_note(int fd, void* into, std::size_t room, int type, void* note,
                    std::size_t note_size) {
    iovec data{into, room};
    alignas(cmsghdr) char control[CMSG_SPACE(64)];
    msghdr message{.msg_iov = &data,
                   .msg_iovlen = 1,
                   .msg_control = control,
                   .msg_controllen = sizeof control};
    // (MSG_CMSG_CLOEXEC: a descriptor received, SCM_RIGHTS, is not inherited by what is exec'd.)
    ssize_t got = recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (got < 0) return -1;
    for (cmsghdr* part = CMSG_FIRSTHDR(&message); part; part = CMSG_NXTHDR(&message, part))
        if (part->cmsg_level == SOL_SOCKET && part->cmsg_type == type)
            std::memcpy(note, CMSG_DATA(part),
                        std::min<std::size_t>(note_size, part->cmsg_len - CMSG_LEN(0)));
    return static_cast<long>(got);
}

}  // namespace lab
