// What a live view costs a server (lab/server/live_events.hpp): one mark is one datagram sent
// without waiting. A request sends four (read, started, ended, answered); the goal is that they
// add under 1% to a makespan, which for d = 100 ms means under 1 ms per request.
#include <benchmark/benchmark.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

#include "lab/clock.hpp"
#include "lab/server/live_events.hpp"

namespace {

// A listener like the live hub's (an abstract unix datagram socket), drained as it fills.
struct Listener {
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    std::string name = "@lab-live-bench-" + std::to_string(getpid());
    Listener() {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        name.copy(address.sun_path + 1, name.size() - 1, 1);
        bind(fd, reinterpret_cast<sockaddr*>(&address),
             static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size()));
    }
    ~Listener() { close(fd); }
    void drain() const {
        char buffer[512];
        while (recv(fd, buffer, sizeof buffer, 0) > 0) {}
    }
};

void live_mark(benchmark::State& state) {
    static Listener listener;
    // (opened once: the channel is the process's, as a server opens it at its start)
    static const bool opened = (lab::live::open_channel(listener.name), true);
    (void)opened;
    int n = 0;
    for (auto _ : state) {
        lab::live::send_mark(lab::live::Mark::started, 41234, lab::monotonic_us(), "/delay?ms=100");
        if (++n % 64 == 0) {
            state.PauseTiming();
            listener.drain();
            state.ResumeTiming();
        }
    }
    listener.drain();
}
BENCHMARK(live_mark);

}  // namespace
