#include "lab/run/server_process.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <ranges>
#include <stdexcept>
#include <thread>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "lab/run/progress.hpp"
#include "lab/containment/server_cgroup.hpp"
#include "lab/containment/server_namespace.hpp"
#include "lab/run_key.hpp"

namespace lab {
namespace {

// A server's environment: the lab's, with the run's key (lab/run_key.hpp), and Python told to
// write no byte-code, so a student's folder gains no __pycache__ from being run by the lab.
std::vector<std::string> server_environment() {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (!std::string_view(*e).starts_with(std::string(run_key_variable) + "="))
            env.emplace_back(*e);
    env.push_back(std::string(run_key_variable) + "=" + own_run_key());
    env.emplace_back("PYTHONDONTWRITEBYTECODE=1");
    return env;
}

// The signal handler reads this table, so it is a fixed array of atomics, not a container.
std::array<std::atomic<pid_t>, 64> running{};

void remember(pid_t pid) {
    for (auto& slot : running) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, pid)) return;
    }
}

void forget(pid_t pid) {
    for (auto& slot : running) {
        pid_t expected = pid;
        slot.compare_exchange_strong(expected, 0);
    }
}

// Each server leads a process group of its own (its children, such as uvicorn's workers, are
// in it too): signalling -pid reaches all of them, and only them.
void stop_all_and_exit(int signal) {
    for (auto& slot : running)
        if (pid_t pid = slot.load(); pid > 0) {
            kill(-pid, SIGTERM);
            kill(-pid, SIGCONT);  // a stopped server (SIGSTOP) acts on it too
        }
    std::signal(signal, SIG_DFL);
    raise(signal);
}

// What could not be made for a server, with the system's reason ("Too many open files" is the
// shell's `ulimit -n`, not the server's fault).
[[noreturn]] void cannot(const std::string& what) {
    throw std::runtime_error("cannot " + what + ": " + std::strerror(errno));
}

std::string describe_exit(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "stopped";
}

}  // namespace

std::string this_executable() { return std::filesystem::read_symlink("/proc/self/exe"); }

void stop_servers_on_signals() {
    std::signal(SIGINT, stop_all_and_exit);
    std::signal(SIGTERM, stop_all_and_exit);
}

ServerProcess::ServerProcess(std::vector<std::string> command, std::chrono::milliseconds timeout,
                             Ready ready) {
    spawn(command);
    first_line_ = first_line(command, timeout);
    if (ready == Ready::listening) take_address(command, first_line_);
}

void ServerProcess::spawn(std::vector<std::string>& command) {
    std::vector<char*> argv;
    for (auto& a : command) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment = server_environment();
    std::vector<char*> envp;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    int out[2];
    if (pipe(out) != 0) cannot("create a pipe for the server");
    FILE* log_file = std::tmpfile();
    if (!log_file) cannot("create a log file for the server");
    log_fd_ = dup(fileno(log_file));
    std::fclose(log_file);
    ServerCgroup group = new_server_cgroup();
    cgroup_ = group.folder;
    // A learner's app (--app) is the code that may turn on what runs it: it runs in a PID
    // namespace of its own (lab/containment/server_namespace.hpp). lab's own servers do not: each
    // says its pid as its worker_id, and beside each other they would all say 1.
    const bool learners_code = std::ranges::find(command, "--app") != command.end();
    const std::string& no_namespace = pid_namespace_refused();
    // A run without a group is said, once: what then stops its servers is weaker
    static std::once_flag said_once, said_of_the_app;
    if (!group.refused.empty())
        std::call_once(said_once, [&] {
            note(nullptr, "the servers run in no cgroup (" + group.refused +
                              "): each is stopped by its process group and death signal");
        });
    if (learners_code && !no_namespace.empty() && !group.refused.empty())
        std::call_once(said_of_the_app, [&] {
            note(nullptr, "your app has " + no_namespace +
                              " either: a process of it that calls setsid and clears its death "
                              "signal can outlive the lab");
        });
    // (the parent of a namespace's first process is outside it: 0 there)
    const pid_t parent = learners_code && no_namespace.empty() ? 0 : getpid();
    const std::string procs = cgroup_ + "/cgroup.procs";
    pid_ = learners_code ? fork_into_own_pid_namespace() : fork();
    if (pid_ < 0) cannot("fork the server");
    if (pid_ == 0) {
        // Dies with `lab`, even when `lab` is killed with SIGKILL and can clean up nothing.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        write_small(procs.c_str(), "0");  // all it starts stays in its group (if it has one)
        setpgid(0, 0);  // a group of its own, so that stopping it stops whatever it started
        dup2(out[1], STDOUT_FILENO);
        dup2(log_fd_, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        execvpe(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    setpgid(pid_, pid_);  // (also here, so the group exists before anyone signals it)
    close(out[1]);
    stdout_fd_ = out[0];
    remember(pid_);
}

// A constructor that throws runs no destructor: clean up here, then say why.
void ServerProcess::fail_start(const std::vector<std::string>& command, const std::string& why) {
    stop();
    close(log_fd_);
    log_fd_ = -1;
    throw std::runtime_error(fmt::format("{}: {}", fmt::join(command, " "), why));
}

// Its first line on stdout, within `timeout`; if it dies first, how it died and what it said.
std::string ServerProcess::first_line(const std::vector<std::string>& command,
                                      std::chrono::milliseconds timeout) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{stdout_fd_, POLLIN, 0};
        char chunk[256];
        ssize_t n = left.count() > 0 && poll(&p, 1, static_cast<int>(left.count())) > 0
                        ? read(stdout_fd_, chunk, sizeof chunk)
                        : -2;
        if (n > 0) {
            line.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        int status = 0;
        std::string why = n == -2
                              ? "was not ready within " + std::to_string(timeout.count()) + " ms"
                              : "closed its output";
        siginfo_t gone{};
        if (n != -2 && waitid(P_PID, static_cast<id_t>(pid_), &gone, WEXITED | WNOWAIT) == 0) {
            kill(-pid_, SIGKILL);  // what it started before it died goes with it
            waitpid(pid_, &status, 0);
            why = describe_exit(status) + " before listening: " + log();
            forget(pid_);
            pid_ = -1;
        }
        fail_start(command, why);
    }
    return line;
}

// "listening on http://127.0.0.1:PORT" (or http://[::1]:PORT).
void ServerProcess::take_address(const std::vector<std::string>& command, const std::string& line) {
    const std::string prefix = "listening on http://";
    auto at = line.find(prefix);
    auto colon = line.rfind(':');
    if (at == std::string::npos || colon == std::string::npos || colon < at + prefix.size())
        fail_start(command, "printed an unexpected first line: " + line);
    host_ = line.substr(at + prefix.size(), colon - at - prefix.size());
    if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']')
        host_ = host_.substr(1, host_.size() - 2);  // [::1]
    int port = 0;
    std::string digits = line.substr(colon + 1);
    while (!digits.empty() && std::isspace(static_cast<unsigned char>(digits.back())))
        digits.pop_back();
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port < 1 || port > 65535)
        fail_start(command, "printed a bad port in its first line: " + line);
    port_ = static_cast<std::uint16_t>(port);
}

std::optional<std::string> ServerProcess::exited(std::chrono::milliseconds grace) const {
    if (pid_ <= 0) return std::nullopt;
    siginfo_t info{};
    auto give_up = std::chrono::steady_clock::now() + grace;
    while ((waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
            info.si_pid != pid_)) {
        if (std::chrono::steady_clock::now() >= give_up) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (info.si_code == CLD_EXITED) return "exited with status " + std::to_string(info.si_status);
    return "was killed by signal " + std::to_string(info.si_status);
}

std::string last_lines(const std::string& text, int count) {
    std::vector<std::string> lines;
    for (auto line : std::views::split(text, '\n'))
        if (!line.empty()) lines.emplace_back(line.begin(), line.end());
    const std::size_t from = lines.size() - std::min(lines.size(), std::size_t(count));
    return fmt::format("{}",
                       fmt::join(lines.begin() + static_cast<long>(from), lines.end(), " | "));
}

ServerProcess::~ServerProcess() {
    stop();
    if (log_fd_ >= 0) close(log_fd_);
}

// Up to `size` bytes of the file from `at`.
static std::string read_range(int fd, off_t at, std::size_t size) {
    std::string text(size, '\0');
    std::size_t got = 0;
    for (ssize_t n; got < size && (n = pread(fd, text.data() + got, size - got,
                                             at + static_cast<off_t>(got))) > 0;)
        got += static_cast<std::size_t>(n);
    text.resize(got);
    return text;
}

std::string ServerProcess::log() const {
    struct stat file {};
    if (log_fd_ < 0 || fstat(log_fd_, &file) != 0) return "";
    const auto size = static_cast<std::size_t>(file.st_size);
    std::string text;
    if (size <= log_head_bytes + log_tail_bytes) {
        text = read_range(log_fd_, 0, size);
    } else {
        const std::size_t cut = size - log_head_bytes - log_tail_bytes;
        text = read_range(log_fd_, 0, log_head_bytes) + "\n[lab: " + std::to_string(cut) +
               " bytes of this log cut here; its first and last MiB are kept]\n" +
               read_range(log_fd_, static_cast<off_t>(size - log_tail_bytes), log_tail_bytes);
    }
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

void ServerProcess::stop() {
    if (pid_ > 0) {
        ended_before_stop_ = exited().value_or("");
        kill(-pid_, SIGTERM);  // the server and everything it started (its process group)
        kill(-pid_, SIGCONT);  // a stopped server acts on it too
        // Waits for the leader to exit without reaping it: while it is a zombie its pid, and so
        // the group's id, cannot be given to anyone else.
        exited(std::chrono::seconds(3));
        kill(-pid_, SIGKILL);  // whatever lingers: the leader, or what outlived it in its group
        waitpid(pid_, nullptr, 0);
        forget(pid_);
        pid_ = -1;
    }
    if (!cgroup_.empty()) left_behind_ = end_cgroup(cgroup_);  // what left its process group
    cgroup_.clear();
    if (stdout_fd_ >= 0) close(stdout_fd_);
    stdout_fd_ = -1;
}

}  // namespace lab
