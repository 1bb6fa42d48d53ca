#include "lab/compute/cpu_ledger.hpp"

#include <algorithm>

#include "lab/shared_across_fork.hpp"

namespace lab {

void CpuLedger::add(std::int64_t start_us, std::int64_t end_us, std::int64_t cpu_us) {
    // A thread stopped for longer than the ring holds spread its CPU over the last ten seconds.
    start_us = std::max(start_us, end_us - static_cast<std::int64_t>(slices - 1) * slice_us);
    if (end_us <= start_us) return add_to_slice(end_us / slice_us, cpu_us);
    std::int64_t given = 0;
    for (std::int64_t slice = start_us / slice_us; slice <= end_us / slice_us; ++slice) {
        std::int64_t from = std::max(start_us, slice * slice_us),
                     to = std::min(end_us, (slice + 1) * slice_us);
        // The share by overlap; the last slice takes the remainder, so the parts add up exactly.
        std::int64_t part = slice == end_us / slice_us ? cpu_us - given
                                                       : cpu_us * (to - from) / (end_us - start_us);
        given += part;
        add_to_slice(slice, part);
    }
}

void CpuLedger::add_to_slice(std::int64_t slice, std::int64_t cpu_us) {
    const std::size_t at = static_cast<std::size_t>(slice) % slices;
    // A slot last used ten seconds ago starts over (two threads may both see it stale; the
    // loser's CPU time lands in a fresh slot, which errs low, never high).
    for (std::int64_t seen = slice_of_[at].load(); seen != slice;)
        if (slice_of_[at].compare_exchange_weak(seen, slice)) {
            cpu_in_[at] = 0;
            break;
        }
    std::int64_t collected = cpu_in_[at].fetch_add(cpu_us) + cpu_us;
    raise_to(most_, (collected + slice_us / 2) / slice_us);
}

CpuLedger& cpu_ledger() {
    static CpuLedger* ledger = new_shared_across_fork<CpuLedger>();
    return *ledger;
}

}  // namespace lab
