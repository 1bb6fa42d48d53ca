#include "lab/containment/server_namespace.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/containment/server_cgroup.hpp"

namespace lab {
namespace {

// The ways tried, in order: a PID namespace of the system's (root), then one in a user namespace.
constexpr int ways[] = {CLONE_NEWPID | CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS};

struct Way {
    int flags = 0;  // 0: none was allowed
    std::string refused;
    char uid_map[32] = "", gid_map[32] = "";  // "ID ID 1": written before the fork
};

// In the child: its user mapped to itself (in a user namespace of its own), then a /proc of its
// own, the mounts made private first so that the new /proc is not seen outside.
bool set_up_child(const Way& way) {
    if ((way.flags & CLONE_NEWUSER) && !(write_small("/proc/self/uid_map", way.uid_map) &&
                                         write_small("/proc/self/setgroups", "deny") &&
                                         write_small("/proc/self/gid_map", way.gid_map)))
        return false;
    return mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
           mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0;
}

// As fork(), with `flags` (glibc's clone() wants a stack of its own; the system call copies ours).
pid_t clone_with(int flags) {
    return static_cast<pid_t>(
        syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
}

// The first way a child can set itself up in, tried once by a child that exits at once.
Way first_allowed_way() {
    Way way;
    std::snprintf(way.uid_map, sizeof way.uid_map, "%u %u 1", getuid(), getuid());
    std::snprintf(way.gid_map, sizeof way.gid_map, "%u %u 1", getgid(), getgid());
    std::string why;
    for (int flags : ways) {
        way.flags = flags;
        const pid_t child = clone_with(flags);
        if (child == 0) _exit(set_up_child(way) ? 0 : 1);
        int status = 1;
        if (child > 0 && waitpid(child, &status, 0) == child && status == 0) return way;
        why = child < 0 ? std::strerror(errno) : "its /proc could not be mounted";
    }
    way.flags = 0;
    way.refused = "no PID namespace of its own (" + why + ")";
    return way;
}

const Way& allowed_way() {
    static const Way way = first_allowed_way();
    return way;
}

}  // namespace

const std::string& pid_namespace_refused() { return allowed_way().refused; }

pid_t fork_into_own_pid_namespace() {
    const Way& way = allowed_way();
    if (way.flags == 0) return fork();
    const pid_t pid = clone_with(way.flags);
    if (pid == 0 && !set_up_child(way)) _exit(127);
    return pid;
}

}  // namespace lab
