#include "lab/live/mark_senders.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <cstring>

#include "lab/clock.hpp"
#include "lab/socket_notes.hpp"

namespace lab::live {
namespace {

// The parent of `pid` from /proc/PID/stat (its fourth field, after the name in parentheses,
// which may itself hold spaces and parentheses); 0 when the process is gone.
pid_t parent_of(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text(std::istreambuf_iterator<char>(stat), {});
    const std::size_t close = text.rfind(')');
    int parent = 0;
    char state = 0;
    if (close == std::string::npos ||
        std::sscanf(text.c_str() + close + 1, " %c %d", &state, &parent) != 2)
        return 0;
    return parent;
}

// A marks folder a `lab` of this user's left (its pid gone): its socket unlinked, then the folder
// if that emptied it. Opened without following a link, and only if it is this user's, 0700 as
// mkdtemp makes it: another user's folder and a link are left as they are, and what else a
// folder holds stays in it.
void remove_left_marks_folder(const std::string& path) {
    const int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0) return;
    struct stat st {};
    if (fstat(dir, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 07777) == 0700 &&
        unlinkat(dir, "marks", 0) == 0)  // (a socket or a link itself: never a folder)
        rmdir(path.c_str());
    close(dir);
}

}  // namespace

void ask_for_senders(int fd) {
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
}

long receive_with_sender(int fd, char* buffer, std::size_t size, pid_t& sender) {
    ucred who{};  // (pid 0 if the kernel gave no note)
    long n = read_with_note(fd, buffer, size, SCM_CREDENTIALS, &who, sizeof who);
    sender = who.pid;
    return n;
}

bool OwnProcesses::includes(pid_t pid) {
    const std::int64_t now = monotonic_us();
    if (auto it = known_.find(pid); it != known_.end() && now - it->second.at_us < 1'000'000)
        return it->second.ours;
    if (known_.size() > 4096) known_.clear();  // (a bound: pids come and go over a long run)
    const pid_t self = getpid();
    bool ours = false;
    for (pid_t p = pid, steps = 0; p > 1 && steps < 64 && !ours; p = parent_of(p), ++steps)
        ours = p == self;
    known_[pid] = {now, ours};
    return ours;
}

std::string private_marks_folder() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/tmp", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("lab-live-") && kill(std::atoi(name.c_str() + 9), 0) != 0 &&
            errno == ESRCH)
            remove_left_marks_folder(entry.path().string());
    }
    std::string folder = "/tmp/lab-live-" + std::to_string(getpid()) + "-XXXXXX";
    if (!mkdtemp(folder.data()))
        throw std::runtime_error(std::string("live view: cannot make its folder: ") +
                                 std::strerror(errno));
    return folder;
}

}  // namespace lab::live
