#include "lab/server/loop_monitor.hpp"

#include <sys/resource.h>

#include <cstdio>

#include "lab/server/explain.hpp"
#include "lab/server/server_stats.hpp"
#include "lab/shared_across_fork.hpp"

namespace lab {

void LoopMonitor::start(const asio::any_io_executor& loop, Micros slow) {
    if (std::exchange(started_, true)) return;
    asio::co_spawn(loop, watch(slow), asio::detached);
}

// How often the calling thread has waited so far: gave up its core of its own accord (for epoll,
// a sleep, a lock), not counting the times the kernel took the core away (a busy machine).
static std::int64_t waits_so_far() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nvcsw;
}

void LoopMonitor::handler_started(std::string_view path) {
    ++turns_;
    // (read only where it can join a stretch: right after a hold, not on every request served)
    if (handlers_++ == last_held_handler_) waits_at_last_start_ = waits_so_far();
    path = path.substr(0, path.find('?'));
    if (since_last_tick_.size() < 10'000)
        since_last_tick_.push_back({monotonic_us(), std::string(path)});
}

void LoopMonitor::held(std::int64_t handler, std::int64_t start_us, std::int64_t end_us) {
    // Bookkeeping is short beside the holds it joins; a gap longer than the hold before it was the
    // loop waiting for work (e.g. a quick health check every 2 ms), not going from one to the next.
    std::int64_t gap = start_us - stretch_end_us_;
    bool went_straight = handler == handlers_ && waits_at_last_start_ == waits_at_last_hold_end_;
    bool next_in_line =
        handler == last_held_handler_ + 1 &&
        (went_straight || (gap <= room_us && gap <= stretch_end_us_ - last_hold_start_us_));
    // A reset (GET /stats?reset=1, answered by any worker) begins a batch: no stretch runs across
    // it, even in a worker that served nothing in between.
    if (std::int64_t resets = loop_figures().resets.load(); resets != stretch_resets_) {
        next_in_line = false;
        stretch_resets_ = resets;
    }
    if (!next_in_line) stretch_start_us_ = start_us;  // something else ran between: a new stretch
    last_held_handler_ = handler;
    last_hold_start_us_ = start_us;
    stretch_end_us_ = end_us;
    waits_at_last_hold_end_ = waits_so_far();
    raise_to(loop_figures().max_blocked_us, stretch_end_us_ - stretch_start_us_);
}

asio::awaitable<void> LoopMonitor::watch(Micros slow) {
    asio::steady_timer timer{co_await asio::this_coro::executor};
    for (;;) {
        auto due = std::chrono::steady_clock::now() + tick;
        server_stats().lag_probe_due_us =
            std::chrono::duration_cast<Micros>(due.time_since_epoch()).count();
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
        ++turns_;
        std::int64_t now = monotonic_us();
        auto lag = std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - due);
        raise_to(loop_figures().max_lag_us, lag.count());
        if (lag + tick >= slow) {  // lag misses up to one tick of a block
            // The loop could not run this timer: the handlers that began meanwhile held it, one
            // after another, each until the next began (the last until now).
            for (std::size_t i = 0; i < since_last_tick_.size(); ++i) {
                std::int64_t end =
                    i + 1 < since_last_tick_.size() ? since_last_tick_[i + 1].start_us : now;
                std::int64_t held = end - since_last_tick_[i].start_us;
                if (held >= slow.count()) {
                    std::fprintf(stderr, "loop blocked for %.1f ms (handler %s)\n",
                                 static_cast<double>(held) / 1000.0,
                                 printable(since_last_tick_[i].path).c_str());
                    explain(
                        "the loop was blocked for {:.1f} ms by {}: meanwhile nothing else "
                        "could be read, started or answered",
                        static_cast<double>(held) / 1000.0, since_last_tick_[i].path);
                }
            }
        }
        since_last_tick_.clear();
    }
}

LoopMonitor& loop_monitor() {
    static LoopMonitor monitor;
    return monitor;
}

}  // namespace lab
