#pragma once
// Who may draw on the live page. The marks socket is in a folder only this user may enter (no
// other user can send to it); of this user's processes, the kernel says which sent each datagram
// (SO_PASSCRED: a pid the sender cannot forge), and the hub keeps only the marks of this process
// and the processes it started (the servers, their workers, a student's app under uvicorn): a
// forged mark from anywhere else is dropped.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace lab::live {

// The marks socket's folder, /tmp/lab-live-PID-XXXXXX, made by mkdtemp (0700): no other user may
// reach the socket inside, so a neighbour's flood of datagrams is refused by the kernel and costs
// the run nothing. Folders this user's `lab` left when it was killed (its pid gone) are removed
// first: only its own (owner, mode, nothing in them but the socket), never another user's.
std::string private_marks_folder();

// Asks the kernel to name the sender of every datagram `fd` receives.
void ask_for_senders(int fd);

// One datagram into `buffer`, without waiting, and the pid of the process that sent it (0 when
// the kernel gave none); -1 when no datagram is waiting.
long receive_with_sender(int fd, char* buffer, std::size_t size, pid_t& sender);

// Whether a pid is this process or one below it, by the parent links in /proc. What a pid was
// found to be is believed for a second (a busy server sends thousands of marks a second, a
// flooder as many), then looked up again: at most one walk of /proc per sender and second.
class OwnProcesses {
public:
    bool includes(pid_t pid);

private:
    struct Found {
        std::int64_t at_us;  // when it was looked up
        bool ours;
    };
    std::unordered_map<pid_t, Found> known_;
};

}  // namespace lab::live
