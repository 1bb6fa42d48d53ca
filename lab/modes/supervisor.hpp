#pragma once
// The POSIX side of multi-process mode: the supervisor process that starts W workers, waits until
// each one listens, starts a new one when one dies, and stops them all on SIGINT or SIGTERM.
// It knows nothing of HTTP: `start` forks one worker (lab/modes/multi_process.cpp: what it runs).
#include <functional>
#include <vector>

#include <sys/types.h>

namespace lab {

class Supervisor {
public:
    using Start = std::function<pid_t(int ready_fd)>;  // forks one worker; -1 if fork failed
    using Kill = std::function<int(pid_t, int)>;  // ::kill, or a test's stand-in

    Supervisor(int workers, Start start, Kill kill);

    // Starts every worker and waits until each has written one byte to `ready_fd` ("listening").
    // If one cannot be forked or dies first, stops those that started and returns false.
    bool start_all();

    // Until SIGINT or SIGTERM: waits for workers to die and starts new ones. Then stops them all.
    void supervise_until_stopped();

    // Sends `signal` to every worker it started, and never to a pid that is not one (≤ 0:
    // kill(-1, …) would signal every process of the user), then waits for them.
    void stop_all(int signal);

private:
    int count_;
    Start start_;
    Kill kill_;
    std::vector<pid_t> pids_;
};

// Installs the handlers after which supervise_until_stopped() returns (no SA_RESTART, so a
// blocked wait returns to look at the flag).
void supervisor_handles_stop_signals();

}  // namespace lab
