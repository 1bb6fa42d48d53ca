#pragma once
// What a server process counts about itself, for GET /stats: plain atomics, process-wide,
// since each server process runs exactly one loop; and the loop figures, shared by its workers.
// No Asio here: the fuzz target counts with these too.
#include <atomic>
#include <cstdint>

#include "lab/shared_across_fork.hpp"

namespace lab {

struct ServerStats {
    std::atomic<std::int64_t> requests_received{0};  // (numbered by the session, not here)
    std::atomic<std::int64_t> requests_served{0};
    std::atomic<std::int64_t> in_service{0};
    std::atomic<std::int64_t> lag_probe_due_us{0};  // when the loop's timer should fire next
    std::atomic<std::int64_t> pool_threads{0};
    std::atomic<std::int64_t> pool_busy{0};
    // Requests handed to the pool that found all its threads busy, since the last reset: they
    // wait for one (a ramp's knee, lab/run/lesson_ramp.hpp, counts on it as the doctor counts on
    // its probe's tokens waited for)
    std::atomic<std::int64_t> waited_for_thread{0};
    std::atomic<std::int64_t> waited_for_connection{0};  // takes that found the DB pool all lent
    std::atomic<std::int64_t> background_running{0};  // background tasks answered but not yet done
    std::atomic<std::int64_t> background_done{0};
};

inline ServerStats& server_stats() {
    static ServerStats stats;
    return stats;
}

// A count since the last GET /stats?reset=1: read, and zeroed if this read resets
inline std::int64_t read_or_reset(std::atomic<std::int64_t>& count, bool reset) {
    return reset ? count.exchange(0) : count.load();
}

// How long a loop was kept from its other work, at worst, since the last GET /stats?reset=1:
// the worst of every worker's loop. It lives in memory shared across fork(), like the CPU ledger,
// so whichever worker answers /stats reports (and resets) the figure of the batch for all of them,
// not its own since it last happened to answer a reset.
struct LoopFigures {
    std::atomic<std::int64_t> max_lag_us{0};  // how late a loop's own timer fired
    std::atomic<std::int64_t> max_blocked_us{0};  // the longest run of handlers holding a loop
    std::atomic<std::int64_t> resets{0};  // how many resets so far: a stretch never spans one
};
// The process's; a process that calls this before it forks shares it with its children.
inline LoopFigures& loop_figures() {
    static LoopFigures* figures = new_shared_across_fork<LoopFigures>();
    return *figures;
}

}  // namespace lab
