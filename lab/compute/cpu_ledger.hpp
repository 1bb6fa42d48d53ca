#pragma once
// How many threads (or worker processes) really computed at once: not how many had started a
// computation (ten threads can be inside /cpu on two cores, eight of them waiting for a core),
// but how much CPU time was spent per slice of wall-clock time. Every chunk of /cpu work spreads
// the CPU time it used over the wall-clock interval it ran in, never more than that interval
// (one thread cannot use 3 ms of CPU in 1 ms; a coarse CPU clock that says so is paid out over
// the next chunks instead); a 10 ms slice that collected 20 ms of CPU had two threads computing
// all along, and under the GIL, whose holders' intervals never overlap, no slice can. The
// ledger lives in memory shared across fork(), so the workers of multi-process add to one
// ledger and two workers computing in parallel count as two.
#include <atomic>
#include <cstdint>

namespace lab {

class CpuLedger {
public:
    static constexpr std::int64_t slice_us = 10'000;
    // `cpu_us` of CPU time used by one thread from `start_us` to `end_us` (monotonic);
    // the caller keeps `cpu_us` within `end_us - start_us`.
    void add(std::int64_t start_us, std::int64_t end_us, std::int64_t cpu_us);
    // The most CPU time any slice collected, in whole threads (rounded): for GET /stats.
    std::int64_t most_at_once() const { return most_.load(); }
    void reset() { most_ = 0; }

private:
    void add_to_slice(std::int64_t slice, std::int64_t cpu_us);
    static constexpr std::size_t slices = 1024;  // ten seconds of slices, reused in a ring
    std::atomic<std::int64_t> slice_of_[slices]{};
    std::atomic<std::int64_t> cpu_in_[slices]{};
    std::atomic<std::int64_t> most_{0};
};

// The process's ledger, mapped shared: called for before a fork, it is shared with the children.
CpuLedger& cpu_ledger();

}  // namespace lab
