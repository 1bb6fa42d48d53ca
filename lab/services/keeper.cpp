#include "lab/services/keeper.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Signals the keeper ignores: only the closing of lab's pipe may end it, so that it always cleans.
constexpr int ignored_by_keeper[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

std::string describe(int status) {
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// Forks and execs `argv` in `folder`, as `user` if given, output to `log`, in a process group of
// its own (so that stopping the group stops whatever it starts). Returns its pid.
pid_t start_process(const std::vector<std::string>& argv, const fs::path& folder,
                    const passwd* user, int log) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    setpgid(0, 0);
    for (int signal : ignored_by_keeper) std::signal(signal, SIG_DFL);  // "ignored" survives exec
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    dup2(open("/dev/null", O_RDONLY | O_CLOEXEC), STDIN_FILENO);
    if (user &&
        (setgroups(0, nullptr) != 0 || setgid(user->pw_gid) != 0 || setuid(user->pw_uid) != 0)) {
        std::fprintf(stderr, "cannot become the user %s: %s\n", user->pw_name,
                     std::strerror(errno));
        _exit(126);
    }
    if (chdir(folder.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
}

// The end of the service's log, on one line, for an error message.
std::string log_tail(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), {}};
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
    for (char& c : text)
        if (c == '\n') c = ' ';
    return text;
}

// Writes one line to lab; if lab is gone there is no one to tell, and nothing to do about it.
void tell_lab(int fd, const std::string& line) {
    std::string text = line + "\n";
    for (std::size_t done = 0; done < text.size();) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

// Polls `done` until it holds (true), or until the deadline passes or lab goes away (false).
// Waiting 2 ms on the control pipe is the pause between polls: it wakes early if lab's end closes.
bool wait_until(const std::function<bool()>& done, Clock::time_point deadline, int control) {
    while (!done()) {
        pollfd p{control, POLLIN, 0};
        if (Clock::now() > deadline || poll(&p, 1, 2) > 0) return false;
    }
    return true;
}

// Stops the process group `leader` leads: politely, then, after 5 s, for certain.
void stop_group(pid_t leader, int polite_signal) {
    kill(-leader, polite_signal);
    // Wait for the leader to exit without reaping it: while it is a zombie its pid, and so the
    // group's id, cannot be given to anyone else, and the SIGKILL below reaches only our group.
    auto exited = [leader] {
        siginfo_t info{};
        return waitid(P_PID, static_cast<id_t>(leader), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
               info.si_pid == leader;
    };
    auto give_up = Clock::now() + std::chrono::seconds(5);
    while (!exited() && Clock::now() < give_up) usleep(5000);
    kill(-leader, SIGKILL);  // the leader if it lingers, and whatever it left in its group
    waitpid(leader, nullptr, 0);
}

[[noreturn]] void remove_and_exit(const fs::path& folder, int code) {
    std::error_code ignored;
    fs::remove_all(folder, ignored);
    _exit(code);  // not exit(): the atexit handlers and buffers are lab's, copied by fork
}

// The keeper's whole life, in the forked process: never returns.
[[noreturn]] void keep(const ServiceSpec& spec, const fs::path& folder, const passwd* user,
                       int control, int status) {
    setsid();  // out of lab's session and group: a terminal's Ctrl-C reaches lab, not us
    prctl(PR_SET_NAME, "lab-keeper");  // what ps -o comm and top show (its arguments are lab's)
    for (int signal : ignored_by_keeper) std::signal(signal, SIG_IGN);
    std::signal(SIGCHLD, SIG_DFL);  // waitpid needs it (lab might have ignored it)
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int fd = 3; fd < 1024; ++fd)  // lab's sockets and pipes are not ours to hold open
        if (fd != control && fd != status) close(fd);
    fs::path log_file = folder / "service.log";
    int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (user && log >= 0 && fchown(log, user->pw_uid, user->pw_gid) != 0) log = -1;

    auto fail = [&](const std::string& why) {
        tell_lab(status, "failed: " + why + (log >= 0 ? ": " + log_tail(log_file) : ""));
        remove_and_exit(folder, 1);
    };
    auto deadline = Clock::now() + spec.timeout;
    std::string within = " within " + std::to_string(spec.timeout.count()) + " s";
    for (const auto& step : spec.setup) {
        std::string name = fs::path(step[0]).filename();
        int result = 0;
        pid_t pid = start_process(step, folder, user, log);
        if (!wait_until([&] { return waitpid(pid, &result, WNOHANG) == pid; }, deadline, control)) {
            stop_group(pid, SIGKILL);
            fail(name + " did not finish" + within);
        }
        if (!WIFEXITED(result) || WEXITSTATUS(result) != 0) fail(name + " " + describe(result));
    }
    pid_t service = start_process(spec.command, folder, user, log);
    int result = 0;
    bool exited = false;
    if (!wait_until(
            [&] {
                return (exited = waitpid(service, &result, WNOHANG) == service) || spec.ready();
            },
            deadline, control)) {
        stop_group(service, SIGKILL);
        fail(spec.name + " was not ready" + within);
    }
    if (exited) fail(spec.name + " " + describe(result) + " before it was ready");
    tell_lab(status, "ready");
    close(status);

    // Nothing is ever written to this pipe: read() returns when lab's end closes, however lab ends.
    for (char byte;;) {
        ssize_t n = read(control, &byte, 1);
        if (n == 0 || (n < 0 && errno != EINTR)) break;
    }
    stop_group(service, spec.polite_signal);
    remove_and_exit(folder, 0);
}

// The keeper's one line, "ready" or "failed: why" (it waits at most spec.timeout); pipe closed.
std::string keepers_line(int fd) {
    std::string line;
    for (char chunk[512]; line.find('\n') == std::string::npos;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        line.append(chunk, static_cast<std::size_t>(n));
    }
    close(fd);
    while (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
}

}  // namespace

KeptService::KeptService(const std::string& prefix,
                         const std::function<ServiceSpec(const fs::path&)>& make_spec) {
    auto started = Clock::now();
    // Always /tmp: the `postgres` user must be able to reach it, and a unix socket's path has at
    // most 107 bytes ($TMPDIR could be long, or inside /root).
    std::string pattern = "/tmp/lab-" + prefix + "-XXXXXX";
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("cannot create a temporary folder: " +
                                 std::string(std::strerror(errno)));
    folder_ = pattern;
    auto give_up = [&](const std::string& why) {
        std::error_code ignored;
        fs::remove_all(folder_, ignored);
        throw std::runtime_error(why);
    };
    ServiceSpec spec = make_spec(folder_);
    for (const auto& argv : spec.setup)
        if (access(argv[0].c_str(), X_OK) != 0) give_up(spec.missing);
    if (access(spec.command[0].c_str(), X_OK) != 0) give_up(spec.missing);
    // Debian's `postgres` user, when this process is root (initdb and postgres refuse to run as
    // root); the package makes the user.
    const bool as_postgres = spec.as_postgres_user && geteuid() == 0;
    const passwd* user = as_postgres ? getpwnam("postgres") : nullptr;
    if (as_postgres && !user) give_up(spec.missing);
    if (user && chown(folder_.c_str(), user->pw_uid, user->pw_gid) != 0)
        give_up("cannot give " + folder_.string() +
                " to the user postgres: " + std::strerror(errno));

    int control[2] = {-1, -1}, status[2];
    if (pipe2(control, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0) {
        const int why = errno;  // (close may set its own)
        for (int end : control)
            if (end >= 0) close(end);
        give_up("cannot create a pipe for " + spec.name + ": " + std::strerror(why));
    }
    // A fork without exec: safe because lab calls this before it starts any thread (the child
    // would otherwise inherit locks held by threads that do not exist in it).
    keeper_ = fork();
    if (keeper_ == 0) keep(spec, folder_, user, control[0], status[1]);
    close(control[0]);
    close(status[1]);
    if (keeper_ < 0) {
        close(control[1]);
        close(status[0]);
        give_up("cannot fork a keeper for " + spec.name);
    }
    control_fd_ = control[1];

    std::string line = keepers_line(status[0]);
    if (line != "ready") {
        close(control_fd_);
        waitpid(keeper_, nullptr, 0);
        if (line.rfind("failed: ", 0) == 0) line.erase(0, 8);
        give_up(spec.name +
                " did not start: " + (line.empty() ? "its keeper ended without a word" : line));
    }
    start_seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
}

KeptService::~KeptService() {
    // The keeper reads end-of-file: it stops the service and deletes the folder.
    close(control_fd_);
    while (waitpid(keeper_, nullptr, 0) < 0 && errno == EINTR) {}
}

}  // namespace lab
