#pragma once
// A `lab serve` (or `lab worker`) child process: started, waited for until it listens, and always
// stopped — when this object goes, when `lab` is interrupted (SIGINT/SIGTERM) or killed.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lab {

// How long a server may take to say it is ready, unless who starts it knows better.
inline constexpr std::chrono::seconds ready_within{10};

class ServerProcess {
public:
    // What the process prints when it is ready: a server "listening on http://HOST:PORT", or
    // (a queue worker, which listens on nothing) any first line.
    enum class Ready { listening, first_line };
    // Runs `command` (program and arguments) and returns once it is ready. Throws
    // std::runtime_error at once if it exits first, or after `timeout` of silence.
    explicit ServerProcess(std::vector<std::string> command,
                           std::chrono::milliseconds timeout = ready_within,
                           Ready ready = Ready::listening);
    // `binary serve ARGS...`: a lab server.
    ServerProcess(const std::string& binary, const std::vector<std::string>& serve_args,
                  std::chrono::milliseconds timeout = ready_within)
        : ServerProcess(lab_serve(binary, serve_args), timeout) {}
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    void stop();  // SIGTERM, then SIGKILL if it lingers; idempotent
    // How it ended ("exited with status 1", "was killed by signal 9") if it has, waiting up to
    // `grace` for it to; nullopt while it runs.
    std::optional<std::string> exited(
        std::chrono::milliseconds grace = std::chrono::milliseconds(0)) const;
    // What the server has written to stderr so far: all of it up to 2 MiB; past that its first and
    // last MiB, and a line between them saying how much was cut (an app may print without end).
    std::string log() const;
    pid_t pid() const { return pid_; }
    const std::string& host() const { return host_; }
    const std::string& ready_line() const { return first_line_; }  // what it printed when ready
    std::uint16_t port() const { return port_; }
    // Once stopped: what was still in its cgroup after it (lab/containment/server_cgroup.hpp), each
    // as "PID COMMAND", and how it had ended if it ended before stop() ("" if it had not).
    const std::vector<std::string>& left_behind() const { return left_behind_; }
    const std::string& ended_before_stop() const { return ended_before_stop_; }

private:
    static std::vector<std::string> lab_serve(const std::string& binary,
                                              std::vector<std::string> args) {
        args.insert(args.begin(), {binary, "serve"});
        return args;
    }
    // The steps of starting: fork and exec it in a group of its own, read its first line, and
    // take the address it listens on from that line. Each throws, having stopped it, on failure.
    void spawn(std::vector<std::string>& command);
    std::string first_line(const std::vector<std::string>& command,
                           std::chrono::milliseconds timeout);
    void take_address(const std::vector<std::string>& command, const std::string& line);
    [[noreturn]] void fail_start(const std::vector<std::string>& command, const std::string& why);
    pid_t pid_ = -1;
    int stdout_fd_ = -1;  // kept open so the server never writes into a closed pipe
    int log_fd_ = -1;  // the server's stderr: an unlinked temporary file
    std::string host_, first_line_;
    std::uint16_t port_ = 0;
    std::string cgroup_;  // its group's folder, "" where the system gives none
    std::vector<std::string> left_behind_;
    std::string ended_before_stop_;
};

// How much of a server's log log() keeps from its beginning, and from its end.
inline constexpr std::size_t log_head_bytes = 1 << 20, log_tail_bytes = 1 << 20;

// The last `count` lines of `text` (a server's log), joined by " | " for one line of an error.
std::string last_lines(const std::string& text, int count);

// The running `lab` executable, so `lab run` starts servers from the very same build.
std::string this_executable();

// Installs SIGINT/SIGTERM handlers that stop every ServerProcess still running, then exit.
void stop_servers_on_signals();

}  // namespace lab
