#include "lab/modes/supervisor.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

namespace lab {
namespace {

volatile std::sig_atomic_t stop_signal = 0;

constexpr auto retry_fork_after = std::chrono::milliseconds(200);

}  // namespace

void supervisor_handles_stop_signals() {
    struct sigaction on_stop {};
    on_stop.sa_handler = [](int signal) { stop_signal = signal; };
    sigaction(SIGINT, &on_stop, nullptr);
    sigaction(SIGTERM, &on_stop, nullptr);
}

Supervisor::Supervisor(int workers, Start start, Kill kill)
    : count_(workers), start_(std::move(start)), kill_(std::move(kill)) {}

bool Supervisor::start_all() {
    int ready[2];
    if (pipe(ready) != 0) return false;
    for (int i = 0; i < count_; ++i) {
        pid_t pid = start_(ready[1]);
        if (pid <= 0) {
            std::fprintf(stderr, "lab serve: cannot start worker %d of %d: %s\n", i + 1, count_,
                         std::strerror(errno));
            close(ready[0]);
            close(ready[1]);
            stop_all(SIGTERM);
            return false;
        }
        pids_.push_back(pid);
    }
    close(ready[1]);
    char byte;
    int listening = 0;
    while (listening < count_ && !stop_signal)  // (a stop interrupts the read)
        if (read(ready[0], &byte, 1) == 1) ++listening;
        else if (errno != EINTR) break;  // every write end closed: a worker died before it listened
    close(ready[0]);
    if (listening == count_ && !stop_signal) return true;
    stop_all(stop_signal ? stop_signal : SIGTERM);
    return false;
}

void Supervisor::supervise_until_stopped() {
    while (!stop_signal) {
        // A slot whose fork failed is retried shortly; otherwise sleep until a worker dies.
        bool missing = false;
        for (pid_t& pid : pids_)
            if (pid <= 0 && (pid = start_(-1)) <= 0) missing = true;
        int status = 0;
        pid_t dead = waitpid(-1, &status, missing ? WNOHANG : 0);
        if (dead <= 0) {
            if (missing) std::this_thread::sleep_for(retry_fork_after);
            continue;
        }
        for (pid_t& pid : pids_) {
            if (pid != dead) continue;
            if (stop_signal) {  // killed by the same stop as this supervisor: not replaced
                pid = -1;
                break;
            }
            pid = start_(-1);
            std::fprintf(stderr, "worker %d exited (%s %d); %s %d\n", dead,
                         WIFSIGNALED(status) ? "signal" : "status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                         pid > 0 ? "started worker" : "could not fork a new one yet, errno",
                         pid > 0 ? pid : errno);
        }
    }
    stop_all(stop_signal);
}

void Supervisor::stop_all(int signal) {
    for (pid_t pid : pids_)
        if (pid > 0) kill_(pid, signal);
    alarm(3);  // a worker that ignores the request is killed with the supervisor (PDEATHSIG)
    for (pid_t pid : pids_)
        if (pid > 0) waitpid(pid, nullptr, 0);
    alarm(0);
}

}  // namespace lab
