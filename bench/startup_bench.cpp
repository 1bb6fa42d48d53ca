// Start-up, as a user waits for it: from starting the process to the first answer.
//   startup_to_first_answer/MODE  spawn `lab serve --mode MODE --port 0`, read its "listening on"
//                                 line, send GET /health, stop the clock at the answer's first
//                                 bytes
//   lab_version                   spawn `lab --version`, stop the clock when it has exited
// Each is timed by hand (UseManualTime): stopping a server afterwards is not part of its start-up.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

// Starts `args` with its standard output on a pipe; the child's pid and the pipe's reading end.
std::pair<pid_t, int> spawn(std::vector<std::string> args) {
    int out[2];
    if (pipe(out) != 0) return {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    return {pid, out[0]};
}

// The port in the server's "listening on http://127.0.0.1:PORT" line (0 if it never says).
int listening_port(int fd) {
    std::string seen;
    char chunk[256];
    for (ssize_t n;
         seen.find('\n') == std::string::npos && (n = read(fd, chunk, sizeof chunk)) > 0;)
        seen.append(chunk, static_cast<std::size_t>(n));
    auto at = seen.find("127.0.0.1:");
    return at == std::string::npos ? 0 : std::stoi(seen.substr(at + 10));
}

// GET /health on a new connection; true once the answer's first bytes are in.
bool first_answer(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{.sin_family = AF_INET,
                   .sin_port = htons(static_cast<std::uint16_t>(port)),
                   .sin_addr = {htonl(INADDR_LOOPBACK)}};
    const char request[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    char answer[64];
    bool ok = connect(s, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
              write(s, request, sizeof request - 1) == static_cast<ssize_t>(sizeof request - 1) &&
              read(s, answer, sizeof answer) > 0;
    close(s);
    return ok;
}

void stop(pid_t pid) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
}

void startup_to_first_answer(benchmark::State& state, std::string mode) {
    for (auto _ : state) {
        auto start = Clock::now();
        auto [pid, out] = spawn({LAB_BINARY, "serve", "--mode", mode, "--port", "0"});
        int port = pid > 0 ? listening_port(out) : 0;
        bool answered = port > 0 && first_answer(port);
        state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
        if (pid > 0) stop(pid);
        close(out);
        if (!answered)
            state.SkipWithError(("lab serve --mode " + mode + " did not answer").c_str());
    }
}

void lab_version(benchmark::State& state) {
    for (auto _ : state) {
        auto start = Clock::now();
        auto [pid, out] = spawn({LAB_BINARY, "--version"});
        if (pid > 0) waitpid(pid, nullptr, 0);
        state.SetIterationTime(std::chrono::duration<double>(Clock::now() - start).count());
        close(out);
    }
}

// Medians of five repetitions, each as many starts as fit in 0.3 s.
#define LAB_STARTUP(benchmark_)         \
    benchmark_->UseManualTime()         \
        ->Unit(benchmark::kMillisecond) \
        ->MinTime(0.3)                  \
        ->Repetitions(5)                \
        ->ReportAggregatesOnly(true)
LAB_STARTUP(BENCHMARK_CAPTURE(startup_to_first_answer, blocking - in - loop,
                              std::string("blocking-in-loop")));
LAB_STARTUP(BENCHMARK_CAPTURE(startup_to_first_answer, async - sleep, std::string("async-sleep")));
LAB_STARTUP(BENCHMARK_CAPTURE(startup_to_first_answer, thread - pool, std::string("thread-pool")));
LAB_STARTUP(BENCHMARK_CAPTURE(startup_to_first_answer, multi - process,
                              std::string("multi-process")));
LAB_STARTUP(BENCHMARK(lab_version));

}  // namespace
