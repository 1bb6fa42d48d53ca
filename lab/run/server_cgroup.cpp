#include "lab/run/server_cgroup.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/run/group_memory.hpp"

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

// Plain calls only: the guard uses it after a fork of a process that may have threads.
bool write_small(const char* path, const char* text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const auto size = static_cast<ssize_t>(std::strlen(text));
    const bool done = write(fd, text, static_cast<std::size_t>(size)) == size;
    close(fd);
    return done;
}

void nap_10ms() {
    timespec t{0, 10'000'000};
    nanosleep(&t, nullptr);
}

// lab's groups, made once: its own folder (lab-PID), a slot per server, the guard's pipe.
struct Groups {
    std::mutex m;
    bool made = false;
    std::string base, refused, kill;
    std::vector<std::string> slots, procs;  // base/sK and base/sK/cgroup.procs, for the guard
    int next = 0;
    int watch = -1;  // the pipe's write end: the guard reads end-of-file when lab has gone
    pid_t guard = -1;
    ~Groups() {  // lab's normal exit: the guard removes lab's folder, and is waited for
        if (watch < 0) return;
        close(watch);
        waitpid(guard, nullptr, 0);
    }
};

// Appends to a fixed line, without allocating (the guard's words).
struct Line {
    char text[2048];
    std::size_t size = 0;
    void add(const char* s, std::size_t n) {
        n = std::min(n, sizeof text - 1 - size);
        std::memcpy(text + size, s, n);
        size += n;
    }
};

// How many processes the servers' groups hold; each added to `said` as " PID (NAME)" if given.
int members(const Groups& g, Line* said) {
    int count = 0;
    for (const std::string& file : g.procs) {
        char pids[4096], path[64] = "/proc/", name[64];
        int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? 0 : read(fd, pids, sizeof pids - 1);
        if (fd >= 0) close(fd);
        for (char *at = pids, *end = pids + std::max<ssize_t>(n, 0); at < end;) {
            char* line_end = std::find(at, end, '\n');
            ++count;
            if (said && line_end - at < 20) {
                std::memcpy(path + 6, at, static_cast<std::size_t>(line_end - at));
                std::strcpy(path + 6 + (line_end - at), "/comm");
                int comm = open(path, O_RDONLY | O_CLOEXEC);
                ssize_t k = comm < 0 ? 0 : read(comm, name, sizeof name);
                if (comm >= 0) close(comm);
                said->add(" ", 1);
                said->add(at, static_cast<std::size_t>(line_end - at));
                said->add(" (", 2);
                said->add(name, static_cast<std::size_t>(std::max<ssize_t>(k - 1, 0)));
                said->add(")", 1);
            }
            at = line_end + 1;
        }
    }
    return count;
}

// The guard's whole life, in a child forked by lab, which may have threads: plain calls only,
// on strings made before the fork.
[[noreturn]] void guard(int watch, const Groups& g) {
    setsid();  // out of lab's group and terminal: its Ctrl-C and hang-up reach lab, not the guard
    prctl(PR_SET_NAME, "lab-guard");
    std::signal(SIGPIPE, SIG_IGN);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);  // (stderr kept: the guard says there what it stopped)
    for (int fd = 3; fd < 1024; ++fd)  // lab's sockets and pipes are not the guard's to hold
        if (fd != watch) close(fd);
    for (char byte; read(watch, &byte, 1) < 0 && errno == EINTR;) {}
    // lab has gone. serve.py hears it by its death signal and stops its app its own way; what is
    // still there a second later is killed here, and said.
    for (int wait = 0; wait < 100 && members(g, nullptr) > 0; ++wait) nap_10ms();
    if (members(g, nullptr) > 0) {
        Line said;
        const char* head = "lab's guard: lab ended, its servers had left processes; stopped:";
        said.add(head, std::strlen(head));
        members(g, &said);
        said.add("\n", 1);
        (void)!write(STDERR_FILENO, said.text, said.size);
        write_small(g.kill.c_str(), "1");  // every group below lab's folder
    }
    for (int tries = 0; tries < 300; ++tries, nap_10ms()) {  // each removed once it is empty
        for (const std::string& slot : g.slots) rmdir(slot.c_str());
        if (rmdir(g.base.c_str()) == 0 || errno == ENOENT) break;
    }
    _exit(0);
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
    if (mkdir(g.base.c_str(), 0755) != 0) {
        g.refused = "cannot make " + g.base + ": " + std::strerror(errno);
        g.base.clear();
        return;
    }
    g.kill = g.base + "/cgroup.kill";
    for (int k = 0; k < server_groups_at_most; ++k) {
        g.slots.push_back(g.base + "/s" + std::to_string(k));
        g.procs.push_back(g.slots.back() + "/cgroup.procs");
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0 || (g.guard = fork()) < 0) {
        g.refused =
            std::string("cannot start the guard of the servers' groups: ") + std::strerror(errno);
        rmdir(g.base.c_str());
        g.base.clear();
        return;
    }
    if (g.guard == 0) guard(pipe_fds[0], g);
    close(pipe_fds[0]);
    g.watch = pipe_fds[1];
}

}  // namespace

ServerCgroup new_server_cgroup() {
    static Groups g;
    std::lock_guard lock(g.m);
    if (!g.made) make_groups(g);
    if (g.base.empty()) return {"", g.refused};
    for (int tried = 0; tried < server_groups_at_most; ++tried) {
        const std::string& slot = g.slots[static_cast<std::size_t>(g.next)];
        g.next = (g.next + 1) % server_groups_at_most;
        if (mkdir(slot.c_str(), 0755) == 0) return {slot, ""};
        if (errno != EEXIST) return {"", "cannot make " + slot + ": " + std::strerror(errno)};
    }
    return {"", "all " + std::to_string(server_groups_at_most) + " server groups are in use"};
}

void enter_cgroup(const char* folder) {
    char file[4096];
    const std::size_t size = std::strlen(folder);
    if (size + sizeof "/cgroup.procs" > sizeof file) return;
    std::memcpy(file, folder, size);
    std::memcpy(file + size, "/cgroup.procs", sizeof "/cgroup.procs");
    write_small(file, "0");  // (refused: the server runs where lab does, with its group alone)
}

std::vector<std::string> end_cgroup(const std::string& folder) {
    std::vector<std::string> stopped;
    auto pids = [&] {
        std::vector<pid_t> found;
        std::ifstream procs(folder + "/cgroup.procs");
        for (pid_t pid; procs >> pid;) found.push_back(pid);
        return found;
    };
    for (pid_t pid : pids()) {
        std::string words = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
        std::replace(words.begin(), words.end(), '\0', ' ');
        stopped.push_back(std::to_string(pid) + " " +
                          words.substr(0, words.find_last_not_of(' ') + 1).substr(0, 60));
    }
    write_small((folder + "/cgroup.kill").c_str(), "1");
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (rmdir(folder.c_str()) != 0 && errno == EBUSY &&
           std::chrono::steady_clock::now() < give_up) {
        for (pid_t pid : pids()) kill(pid, SIGKILL);  // (Linux before 5.14 has no cgroup.kill)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return stopped;
}

}  // namespace lab
