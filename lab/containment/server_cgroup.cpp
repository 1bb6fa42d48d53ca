#include "lab/containment/server_cgroup.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/containment/group_memory.hpp"

namespace lab {
namespace {

constexpr int server_groups_at_most = 64;  // at once (as many as ServerProcess keeps running)

// Where cgroup v2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system.
std::string cgroup2_mount() {
    std::ifstream mounts("/proc/self/mountinfo");
    for (std::string line; std::getline(mounts, line);) {
        if (line.find(" - cgroup2 ") == std::string::npos) continue;
        std::istringstream fields(line);  // "ID PARENT MAJOR:MINOR ROOT MOUNT-POINT ..."
        std::string id, parent, device, root, point;
        fields >> id >> parent >> device >> root >> point;
        return point;
    }
    return "";
}

// The guard, a shell: $1 is lab's folder of groups, fd 3 the pipe only lab holds (never written to:
// read ends when lab has gone). What still runs in the groups then is said; serve.py hears of lab's
// end by its death signal and stops its app its own way; what is left a second later is killed.
constexpr const char* guard_script = R"sh(trap '' PIPE HUP INT
read -r _ <&3
left=$(cat "$1"/s*/cgroup.procs 2>/dev/null) said="" tries=0
for pid in $left; do said="$said $pid ($(cat /proc/$pid/comm 2>/dev/null))"; done
while [ -n "$(cat "$1"/s*/cgroup.procs 2>/dev/null)" ] && [ $tries -lt 10 ]; do
    sleep 0.1; tries=$((tries + 1))
done
if [ -n "$left" ]; then
    echo 1 > "$1/cgroup.kill"
    echo "lab-guard: lab ended without stopping its servers; stopped:$said" >&2
fi
for try in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    find "$1" -depth -type d -exec rmdir {} + 2>/dev/null; [ -d "$1" ] || break; sleep 0.1
done
)sh";

// Removes `folder` and the groups an app made inside it, the deepest first (a group with groups
// in it cannot go); false, with errno, while one still has a process (EBUSY).
bool remove_group_tree(const std::string& folder) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        if (entry.is_directory(ec) && !entry.is_symlink(ec)) remove_group_tree(entry.path());
    return rmdir(folder.c_str()) == 0 || errno == ENOENT;
}

// lab's groups, made once: its own folder (lab-PID), a slot per server, the guard's pipe.
struct Groups {
    std::mutex m;
    bool made = false;
    std::string base, refused;
    std::vector<std::string> slots;  // base/sK
    int next = 0;
    int watch = -1;  // the pipe's write end: the guard reads end-of-file when lab has gone
    pid_t guard = -1;
    ~Groups() {  // lab's normal exit: the guard removes lab's folder, and is waited for (4 s)
        if (watch < 0) return;
        close(watch);
        kill(guard, SIGCONT);  // (one stopped by anyone would hold lab's exit)
        for (int k = 0; k < 400 && waitpid(guard, nullptr, WNOHANG) == 0; ++k)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
};

// Forks and execs the guard on the pipe's read end `watch`; its pid, or -1.
pid_t start_guard(int watch, const std::string& base) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    setsid();  // out of lab's group and terminal: its Ctrl-C and hang-up reach lab, not the guard
    dup2(watch, 3);  // first: with lab's stdin closed, the pipe may be fd 0
    fcntl(3, F_SETFD, 0);  // (dup2 onto itself keeps close-on-exec: the guard must keep fd 3)
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);  // (stderr kept: the guard says there what it stopped)
    for (int fd = 4; fd < 1024; ++fd) close(fd);  // lab's sockets are not the guard's to hold
    execl("/bin/sh", "sh", "-c", guard_script, "lab-guard", base.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
}

// lab's own folder and the guard, the first time a server starts; `refused` says why not.
void make_groups(Groups& g) {
    g.made = true;
    const std::string mount = cgroup2_mount();
    std::string own;
    for (std::ifstream groups("/proc/self/cgroup"); std::getline(groups, own);)
        if (own.rfind("0::", 0) == 0) break;
    if (mount.empty() || own.rfind("0::", 0) != 0) {
        g.refused = "this system has no cgroup v2";
        return;
    }
    const auto last = own.rfind('/'), above = own.rfind('/', last - 1);
    if (above != std::string::npos && own.compare(last, 2, "/s") == 0 &&
        own.compare(above, 5, "/lab-") == 0)
        return;  // a lab started as a server (lab-PID/sK): that group holds all it starts
    own = own.substr(3) == "/" ? "" : own.substr(3);
    g.base = mount + own + "/lab-" + std::to_string(getpid());
    // A folder of this name is a dead lab's of the same pid (whose groups an app kept): emptied
    // groups of it go; one that still holds a process stays, and this lab takes another name.
    bool made = false;
    for (int k = 1; k < 10 && !(made = mkdir(g.base.c_str(), 0755) == 0) && errno == EEXIST; ++k)
        if (!remove_group_tree(g.base))
            g.base = mount + own + "/lab-" + std::to_string(getpid()) + "-" + std::to_string(k);
    if (!made) {
        g.refused = "cannot make " + g.base + ": " + std::strerror(errno);
        g.base.clear();
        return;
    }
    for (int k = 0; k < server_groups_at_most; ++k)
        g.slots.push_back(g.base + "/s" + std::to_string(k));
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0 || (g.guard = start_guard(pipe_fds[0], g.base)) < 0) {
        g.refused =
            std::string("cannot start the guard of the servers' groups: ") + std::strerror(errno);
        rmdir(g.base.c_str());
        g.base.clear();
        return;
    }
    close(pipe_fds[0]);
    g.watch = pipe_fds[1];
}

}  // namespace

bool write_small(const char* path, const char* text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const auto size = static_cast<ssize_t>(std::strlen(text));
    const bool done = write(fd, text, static_cast<std::size_t>(size)) == size;
    close(fd);
    return done;
}

ServerCgroup new_server_cgroup() {
    static Groups g;
    std::lock_guard lock(g.m);
    if (!g.made) make_groups(g);
    if (g.base.empty()) return {"", g.refused};
    for (int tried = 0; tried < server_groups_at_most; ++tried) {
        const std::string& slot = g.slots[static_cast<std::size_t>(g.next)];
        g.next = (g.next + 1) % server_groups_at_most;
        if (mkdir(slot.c_str(), 0755) != 0) {
            if (errno == EEXIST) continue;  // (in use)
            return {"", "cannot make " + slot + ": " + std::strerror(errno)};
        }
        if (access((slot + "/cgroup.procs").c_str(), W_OK) == 0) return {slot, ""};
        rmdir(slot.c_str());  // a folder, but no group: something is mounted over the groups
        return {"", g.base + " is not in a cgroup v2 hierarchy"};
    }
    return {"", "all " + std::to_string(server_groups_at_most) + " server groups are in use"};
}

std::vector<std::string> end_cgroup(const std::string& folder) {
    std::vector<std::string> stopped;
    auto pids = [&] {
        std::vector<pid_t> found;
        std::ifstream procs(folder + "/cgroup.procs");
        for (pid_t pid; procs >> pid;) found.push_back(pid);
        return found;
    };
    // What the server's own stopping killed goes within moments: only what stays is said.
    const auto settle = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (!pids().empty() && std::chrono::steady_clock::now() < settle)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (pid_t pid : pids()) {
        std::string words = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
        std::replace(words.begin(), words.end(), '\0', ' ');
        stopped.push_back(std::to_string(pid) + " " +
                          words.substr(0, words.find_last_not_of(' ') + 1).substr(0, 60));
    }
    write_small((folder + "/cgroup.kill").c_str(), "1");
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!remove_group_tree(folder) && errno == EBUSY &&
           std::chrono::steady_clock::now() < give_up) {
        for (pid_t pid : pids()) kill(pid, SIGKILL);  // (Linux before 5.14 has no cgroup.kill)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return stopped;
}

}  // namespace lab
