#pragma once
// The loop watching itself, as asyncio's debug mode does: a timer that should fire every few
// milliseconds measures how late it fires (the loop lag), and when the loop was held longer than
// --slow-ms, the handler steps that held it are named on stderr:
//   loop blocked for 100.2 ms (handler /delay)
#include <string>
#include <vector>

#include "lab/asio.hpp"
#include "lab/clock.hpp"

namespace lab {

class LoopMonitor {
public:
    static constexpr auto tick = std::chrono::milliseconds(5);

    void start(const asio::any_io_executor& loop, Micros slow);
    // Called on the loop's thread as a request's handler begins.
    void handler_started(std::string_view path);
    // The loop's turns so far: each time it ran its timer or began a handler. A request whose
    // work began and ended with no turn between held the loop all along (it slept or computed on
    // the loop's thread); an awaited or pooled one lets the loop turn (the timer fires every tick).
    std::int64_t turns() const { return turns_; }
    std::int64_t handlers() const { return handlers_; }  // handlers begun so far
    // Called on the loop's thread when handler number `handler` held it from start to end.
    // Holds of handlers that began one right after the other, with no room between, are one
    // blocked stretch: the loop went from one to the next and served nothing else meanwhile.
    // No room: the loop's thread did not go to wait between them (the kernel counts each time it
    // gave up its core of its own accord), or the gap was shorter than a tick and the hold before.
    // The longest goes to GET /stats as max_loop_blocked_ms.
    void held(std::int64_t handler, std::int64_t start_us, std::int64_t end_us);
    // A gap shorter than the lag timer's tick is no room: only the loop's bookkeeping between
    // two handlers (answer one, read the next: microseconds, a few ms under a sanitizer).
    static constexpr std::int64_t room_us = 5000;

private:
    asio::awaitable<void> watch(Micros slow);
    struct Step {
        std::int64_t start_us;
        std::string path;
    };
    std::vector<Step> since_last_tick_;
    bool started_ = false;
    std::int64_t turns_ = 0, handlers_ = 0;
    std::int64_t last_held_handler_ = -2;
    std::int64_t stretch_start_us_ = 0, stretch_end_us_ = -room_us - 1;
    std::int64_t last_hold_start_us_ = 0;
    std::int64_t stretch_resets_ = 0;  // the LoopFigures reset its stretch began under
    // The loop thread's waits (voluntary context switches) when the last handler began and when
    // the last hold ended: equal, the loop went straight from one to the other, however long a
    // busy machine kept it off its core meanwhile.
    std::int64_t waits_at_last_start_ = 0, waits_at_last_hold_end_ = -1;
};

LoopMonitor& loop_monitor();  // one loop per server process, so one monitor

}  // namespace lab
