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

private:
    asio::awaitable<void> watch(Micros slow);
    struct Step {
        std::int64_t start_us;
        std::string path;
    };
    std::vector<Step> since_last_tick_;
    bool started_ = false;
};

LoopMonitor& loop_monitor();  // one loop per server process, so one monitor

}  // namespace lab
