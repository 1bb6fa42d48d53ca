#pragma once
// What a server process counts about itself, for GET /stats: plain atomics, process-wide,
// since each server process runs exactly one loop.
#include <atomic>
#include <cstdint>

namespace lab {

struct ServerStats {
    std::atomic<std::int64_t> requests_received{0};  // also numbers them, for --explain
    std::atomic<std::int64_t> requests_served{0};
    std::atomic<std::int64_t> in_service{0};
    std::atomic<std::int64_t> max_loop_lag_us{0};     // how late the loop's own timer fired, at worst
    std::atomic<std::int64_t> max_loop_blocked_us{0};  // the longest run of handlers holding the loop
    std::atomic<std::int64_t> lag_probe_due_us{0};    // when the loop's timer should fire next
    std::atomic<std::int64_t> pool_threads{0};
    std::atomic<std::int64_t> pool_busy{0};
    std::atomic<std::int64_t> background_running{0};  // background tasks answered but not yet done
    std::atomic<std::int64_t> background_done{0};

    static void raise_to(std::atomic<std::int64_t>& max, std::int64_t value) {
        for (auto seen = max.load(); value > seen && !max.compare_exchange_weak(seen, value);) {
        }
    }
};

ServerStats& server_stats();

}  // namespace lab
