// c10k's floor on this machine, with no server and no HTTP: what it costs one thread to write one
// answer to each of 10,000 connections over loopback, as a loop does when 10,000 timers fire at
// once, while another thread reads them all, as the harness does. c10k's makespan on one loop
// cannot be below d plus this (issue 26 asks for d + 0.10 s).
//   answers_from_one_thread/N   N connected pairs (9,000), set up once; each round, one write(2) of
//   an
//                               answer the size of the lab's /delay answer to each, timed until
//                               the reader has read every byte (manual time); per answer in µs
//                               as a counter.
//   first_answer_after_a_wait   the fidelity lessons' floor: ten pairs; each round the writing
//                               thread sleeps d = 100 ms, as a loop waits for its timers, then
//                               writes the ten answers. The first write(2) is timed (manual
//                               time, and first_us); next_us is the mean of the nine after it.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lab/os_limits.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t answer_bytes =
    420;  // about the lab's answer to GET /delay: headers and its JSON

struct Pairs {
    std::vector<int> server, client;  // server[i] is the accepted end of client[i]
    ~Pairs() {
        for (int fd : server) close(fd);
        for (int fd : client) close(fd);
    }
};

// N connected loopback pairs, each end TCP_NODELAY as the lab's are.
bool connect_pairs(int n, Pairs& pairs) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof at;
    if (bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
        listen(listener, 4096) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&at), &size) != 0)
        return false;
    const int one = 1;
    for (int i = 0; i < n; ++i) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) return false;
        int s = accept(listener, nullptr, nullptr);
        if (s < 0) return false;
        for (int fd : {c, s}) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c, F_SETFL, O_NONBLOCK);
        pairs.client.push_back(c);
        pairs.server.push_back(s);
    }
    close(listener);
    return true;
}

// Reads every client end until each has its answer, by epoll, as the harness's one thread does.
void read_all(const Pairs& pairs) {
    int ep = epoll_create1(0);
    std::vector<std::size_t> got(pairs.client.size(), 0);
    for (std::size_t i = 0; i < pairs.client.size(); ++i) {
        epoll_event e{.events = EPOLLIN, .data = {.u64 = i}};
        epoll_ctl(ep, EPOLL_CTL_ADD, pairs.client[i], &e);
    }
    std::size_t left = pairs.client.size();
    epoll_event ready[256];
    char buffer[4096];
    while (left > 0) {
        int n = epoll_wait(ep, ready, 256, 1000);
        for (int k = 0; k < n; ++k) {
            std::size_t i = ready[k].data.u64;
            for (ssize_t r; (r = read(pairs.client[i], buffer, sizeof buffer)) > 0;)
                got[i] += static_cast<std::size_t>(r);
            if (got[i] >= answer_bytes) {
                epoll_ctl(ep, EPOLL_CTL_DEL, pairs.client[i], nullptr);
                got[i] = 0;
                --left;
            }
        }
        if (n == 0) break;  // (nothing for a second: an answer was lost; the round ends)
    }
    close(ep);
}

void answers_from_one_thread(benchmark::State& state) {
    lab::raise_open_file_limit();
    Pairs pairs;
    if (!connect_pairs(static_cast<int>(state.range(0)), pairs)) {
        state.SkipWithError("cannot open the connections (file descriptors?)");
        return;
    }
    const std::string answer(answer_bytes, 'x');
    double seconds = 0;
    for (auto _ : state) {
        std::thread reader([&] { read_all(pairs); });
        std::this_thread::sleep_for(
            std::chrono::milliseconds(20));  // the reader waits in epoll, as the harness does
        const auto start = Clock::now();
        for (int fd : pairs.server) (void)!write(fd, answer.data(), answer.size());
        reader.join();
        const double took = std::chrono::duration<double>(Clock::now() - start).count();
        state.SetIterationTime(took);
        seconds += took;
    }
    state.counters["us_per_answer"] =
        seconds * 1e6 /
        (static_cast<double>(state.range(0)) * static_cast<double>(state.iterations()));
}
// (9,000: both ends live in this one process, and 2 × 10,000 descriptors pass the usual limit of
// 20,000; the figure is per answer.)
BENCHMARK(answers_from_one_thread)
    ->Arg(9'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->Repetitions(3);

// A thread that wakes from a wait finds the machine cold: its first system call after 100 ms
// asleep runs through caches others have used meanwhile (on a virtual machine, other guests too).
// Every row of blocking-async and experiment-log pays this once per batch, after d.
void first_answer_after_a_wait(benchmark::State& state) {
    Pairs pairs;
    if (!connect_pairs(10, pairs)) {
        state.SkipWithError("cannot open the connections");
        return;
    }
    const std::string answer(answer_bytes, 'x');
    double first = 0, next = 0;
    for (auto _ : state) {
        std::thread reader([&] { read_all(pairs); });
        std::this_thread::sleep_for(
            std::chrono::milliseconds(100));  // d: the loop waits for its timers
        auto time_write = [&](int fd) {
            const auto start = Clock::now();
            (void)!write(fd, answer.data(), answer.size());
            return std::chrono::duration<double>(Clock::now() - start).count();
        };
        const double took = time_write(pairs.server.front());
        for (std::size_t i = 1; i < pairs.server.size(); ++i) next += time_write(pairs.server[i]);
        reader.join();
        state.SetIterationTime(took);
        first += took;
    }
    const auto rounds = static_cast<double>(state.iterations());
    state.counters["first_us"] = first * 1e6 / rounds;
    state.counters["next_us"] =
        next * 1e6 / (rounds * static_cast<double>(pairs.server.size() - 1));
}
BENCHMARK(first_answer_after_a_wait)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(10)
    ->Repetitions(3);

}  // namespace
