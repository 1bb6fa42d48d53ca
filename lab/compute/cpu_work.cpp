#include "lab/compute/cpu_work.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include "lab/compute/gil.hpp"
#include "lab/clock.hpp"
#include "lab/compute/cpu_ledger.hpp"

namespace lab {
namespace {

double iterations_per_us = 100;  // replaced by calibrate_cpu_work()

// The work itself: a xorshift generator, which no compiler can fold away.
std::uint64_t churn(std::uint64_t state, std::int64_t iterations) {
    for (std::int64_t i = 0; i < iterations; ++i) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    return state;
}

volatile std::uint64_t sink;  // keeps the result, so the work is never dead code

}  // namespace

std::int64_t thread_cpu_us() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000;
}

// The rate only sizes the chunks between offers of the GIL (the work itself is measured in CPU
// time), so a few trials of about 0.2 ms each suffice: a server starts about 1 ms later, not 6.
void calibrate_cpu_work() {
    constexpr std::int64_t trial = 100'000;
    sink = churn(sink + 1, trial);  // warm up: caches, and the core's clock speed
    std::array<double, 5> rates{};
    for (double& rate : rates) {
        std::int64_t before = thread_cpu_us();
        sink = churn(sink + 1, trial);
        rate = static_cast<double>(trial) / static_cast<double>(std::max<std::int64_t>(1, thread_cpu_us() - before));
    }
    std::sort(rates.begin(), rates.end());
    iterations_per_us = rates[rates.size() / 2];
}

std::int64_t do_cpu_work(Micros cpu) {
    constexpr std::int64_t chunk_us = 200;  // how often the GIL is offered, as the interpreter's eval loop checks
    Gil& gil = process_gil();
    CpuLedger& ledger = cpu_ledger();
    Gil::Hold hold(gil);
    const auto chunk = static_cast<std::int64_t>(chunk_us * iterations_per_us);
    std::int64_t used = 0;  // CPU time inside the chunks only, not in hand-offs of the GIL
    std::int64_t entered = 0;  // of which in the ledger: at most the wall time of each chunk
    while (used < cpu.count()) {
        double share = std::min(1.0, static_cast<double>(cpu.count() - used) / chunk_us);
        std::int64_t wall_before = monotonic_us(), before = thread_cpu_us();
        sink = churn(sink + 1, std::max<std::int64_t>(1, static_cast<std::int64_t>(share * static_cast<double>(chunk))));
        used += thread_cpu_us() - before;
        std::int64_t wall_after = monotonic_us();
        // What ran on a core, not what had started; a coarse CPU clock's jump is paid out
        // over the chunks that follow, never more than the wall time each took.
        std::int64_t entry = std::min(used - entered, wall_after - wall_before);
        ledger.add(wall_before, wall_after, entry);
        entered += entry;
        gil.check_for_drop_request();
    }
    return used;
}

}  // namespace lab
