// A server's memory is counted over all its processes: the figure workers-vs-cores and c10k chart.
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "lab/containment/group_memory.hpp"

namespace {

// A child in process group `group` (0: a new group of its own) that touches `mib` MiB, then waits.
pid_t toucher(pid_t group, std::size_t mib, int ready) {
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, group);
        std::vector<char> block(mib << 20);
        std::memset(block.data(), 1, block.size());  // resident, not only reserved
        char done = 1;
        (void)write(ready, &done, 1);
        pause();
        _exit(0);
    }
    setpgid(pid, group == 0 ? pid : group);  // also here: the group exists before we count it
    return pid;
}

// This process's resident memory now (VmRSS), in KiB: what each child forked from it starts out
// holding.
long own_rss_kib() {
    std::string status = lab::read_proc_file("/proc/self/status");
    auto at = status.find("VmRSS:");
    return at == std::string::npos ? 0 : std::stol(status.substr(at + 6));
}

}  // namespace

TEST_CASE("a server's peak memory adds up every process of its group", "[unit]") {
    // Each child holds at most what it inherited and its 40 MiB (under AddressSanitizer the
    // inheritance alone is hundreds of MiB): the sum of two cannot pass twice that, with room.
    const long ceiling_kib = 2 * (own_rss_kib() + 40 * 1024) + 64 * 1024;
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    pid_t leader = toucher(0, 40, pipe_fds[1]);
    pid_t worker = toucher(leader, 40, pipe_fds[1]);
    char ready[2];
    REQUIRE(read(pipe_fds[0], ready, 1) == 1);
    REQUIRE(read(pipe_fds[0], ready + 1, 1) == 1);
    long kib = lab::group_peak_rss_kib(leader);
    kill(-leader, SIGKILL);  // the group we started, by its id
    waitpid(leader, nullptr, 0);
    waitpid(worker, nullptr, 0);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    CHECK(kib >= 80 * 1024);  // both children's 40 MiB
    CHECK(kib < ceiling_kib);  // only the group's two: nothing else on the machine counted
    CHECK(lab::group_peak_rss_kib(leader) == -1);  // the group is gone: nothing to count
}

TEST_CASE("PSS counts a page shared by forked workers once, where RSS counts it in each",
          "[unit]") {
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    pid_t leader = fork();
    if (leader == 0) {  // touches 40 MiB, then forks a worker that shares them without writing
        setpgid(0, 0);
        std::vector<char> block(40u << 20);
        std::memset(block.data(), 1, block.size());
        if (fork() == 0) {
            char done = 1;
            (void)write(pipe_fds[1], &done, 1);
            pause();
            _exit(0);
        }
        char done = 1;
        (void)write(pipe_fds[1], &done, 1);
        pause();
        _exit(0);
    }
    setpgid(leader, leader);
    char ready[2];
    REQUIRE(read(pipe_fds[0], ready, 1) == 1);
    REQUIRE(read(pipe_fds[0], ready + 1, 1) == 1);
    long pss = lab::group_pss_kib(leader), rss = lab::group_peak_rss_kib(leader);
    kill(-leader, SIGKILL);
    waitpid(leader, nullptr, 0);  // (the worker, the leader's child, is reaped by init)
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    INFO("PSS " << pss << " KiB, RSS summed " << rss << " KiB");
    // (Both processes also share what the test process had before the fork, a lot under a
    // sanitizer: so the checks are about the 40 MiB the two share, not about totals.)
    CHECK(rss >= 80 * 1024);  // the 40 MiB in each of the two processes
    CHECK(pss >= 40 * 1024 - 1024);  // the 40 MiB at least once (less what the kernel moved)
    CHECK(rss - pss >= 40 * 1024 - 1024);  // and not twice: PSS splits what RSS counts in each
}
