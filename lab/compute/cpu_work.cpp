#include "lab/compute/cpu_work.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>

#include "lab/compute/gil.hpp"
#include "lab/compute/cpu_ledger.hpp"

namespace lab {
namespace {

// How many iterations of churn() take a microsecond of CPU here. It only sizes the chunks between
// offers of the GIL (the work itself is counted in CPU time), so it is learned from the chunks as
// they run, rather than measured by every server at start-up: the first chunk, sized by this
// guess, may be off by a factor; the next ones are about 200 µs.
std::atomic<double> iterations_per_us{100};

// A chunk's iterations: about `cpu_us` of CPU at the rate learned so far (at least one).
std::int64_t iterations_for(double cpu_us) {
    return std::max<std::int64_t>(
        1, static_cast<std::int64_t>(cpu_us * iterations_per_us.load(std::memory_order_relaxed)));
}

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

std::int64_t thread_cpu_us() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000;
}

}  // namespace

std::int64_t do_cpu_work(Micros cpu) {
    // How often the GIL is offered, as the interpreter's eval loop checks
    constexpr std::int64_t chunk_us = 200;
    Gil& gil = process_gil();
    CpuLedger& ledger = cpu_ledger();
    Gil::Hold hold(gil);
    std::int64_t used = 0;  // CPU time inside the chunks only, not in hand-offs of the GIL
    std::int64_t entered = 0;  // of which in the ledger: at most the wall time of each chunk
    std::int64_t done = 0;  // iterations so far
    while (used < cpu.count()) {
        std::int64_t iterations =
            iterations_for(std::min<double>(chunk_us, static_cast<double>(cpu.count() - used)));
        std::int64_t wall_before = monotonic_us(), before = thread_cpu_us();
        sink = churn(sink + 1, iterations);
        used += thread_cpu_us() - before;
        done += iterations;
        // The rate learned over all its chunks, so that one short chunk, or a coarse CPU clock's
        // jump, cannot throw it off.
        if (used >= 200)
            iterations_per_us.store(static_cast<double>(done) / static_cast<double>(used),
                                    std::memory_order_relaxed);
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
