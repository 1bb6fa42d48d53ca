#pragma once
// Why a cgroup for each server: a server is stopped by its process group, and dies with `lab` by
// its death signal (PR_SET_PDEATHSIG); a student's app can leave both (setsid, the death signal
// cleared) and kill or stop serve.py, which would have stopped it. A cgroup v2 group keeps every
// process started in it, whatever it does, and is killed whole (cgroup.kill). So each server runs
// in a group of its own (lab-PID/sK, under lab's own group), killed when the server is stopped;
// and a guard (a shell `lab` starts) kills them all when `lab` ends without stopping them (SIGKILL,
// a closed terminal, an exit past its destructors): it waits on a pipe only `lab` holds, as the
// services' keeper does (lab/services/keeper.hpp), and says on stderr what it stopped.
// Where the system gives no group (cgroup v1 alone, a container's read-only /sys/fs/cgroup, a
// user without a delegated group), or an app leaves it (root may), a learner's app is still held
// by its PID namespace (lab/containment/server_namespace.hpp); lab's own servers never leave
// theirs.
#include <string>
#include <vector>

namespace lab {

struct ServerCgroup {
    std::string folder;  // "" where the system gave none
    std::string refused;  // then why ("" inside a lab's own server group: that one holds it)
};

// A new, empty group for one server; the first also starts the guard.
ServerCgroup new_server_cgroup();

// Writes `text` to the file `path` (one write); false if it cannot. Async-signal-safe: a forked
// child enters a group by writing "0" (itself) to its cgroup.procs.
bool write_small(const char* path, const char* text);

// Kills every process still in `folder`, waits for them to go and removes it. Returns each as
// "PID COMMAND" (its first 60 characters).
std::vector<std::string> end_cgroup(const std::string& folder);

}  // namespace lab
