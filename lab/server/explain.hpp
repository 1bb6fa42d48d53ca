#pragma once
// `lab serve --explain`: one line per event, for a projector while students send requests, each
// within the terminal's width (terminal_columns(): COLUMNS, else the terminal's, else 100),
// continued under its text:
//   08:30:01.123  #3 GET /delay?ms=2000 read by the loop
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include "lab/clock.hpp"
#include "lab/layout.hpp"

namespace lab {

inline std::atomic<bool> explaining{false};
inline std::string_view explained_wait;  // how this server's /delay waits, set once at start

// One event, written as fmt writes it ("#{} answered {}"), after the time of day, whole. It holds
// what a client sent (a path is any bytes but spaces and controls, 0x9b too): shown, never obeyed.
inline void explain_line(const std::string& event) {
    const std::string line = printable(event);
    static std::mutex one_line_at_a_time;
    static const std::size_t columns = static_cast<std::size_t>(terminal_columns());
    std::lock_guard lock(one_line_at_a_time);
    // "2026-11-22 08:30:01.123456": keep the time of day, to ms
    std::string now = wall_clock_text();
    constexpr std::size_t stamp = 14;  // "08:30:01.123  "
    fmt::print("{}  {}\n", std::string_view(now).substr(11, 12),
               hanging(line, columns - stamp, stamp));
    std::fflush(stdout);
}

// The format is checked at compile time; nothing is formatted unless --explain is on.
template <class... Args>
void explain(fmt::format_string<Args...> format, Args&&... args) {
    if (explaining) explain_line(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace lab
