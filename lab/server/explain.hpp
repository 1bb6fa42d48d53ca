#pragma once
// `lab serve --explain`: one line per event, for a projector while students send requests, each
// within the terminal's width (COLUMNS, else the terminal's, else 100), continued under its text:
//   08:30:01.123  #3 GET /delay?ms=2000 read by the loop
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/core.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include "lab/clock.hpp"
#include "lab/layout.hpp"

namespace lab {

inline std::atomic<bool> explaining{false};
inline std::string_view
    explained_wait;  // how this server's /delay waits, set once at start (lab/modes/)

// The width the lines fit: COLUMNS, else the terminal's, else 100 (a projector's usual).
inline int explain_columns() {
    if (const char* columns = std::getenv("COLUMNS"); columns && std::atoi(columns) >= 40)
        return std::atoi(columns);
    winsize size{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 40) return size.ws_col;
    return 100;
}

// `text` broken at spaces into lines of at most `room` characters, each after the first
// indented by `indent` spaces (so that it continues under the first line's text).
inline std::string hanging(std::string_view text, std::size_t room, std::size_t indent) {
    std::string out;
    while (text.size() > room) {
        std::size_t cut = text.rfind(' ', room);
        if (cut == std::string_view::npos || cut == 0) cut = room;  // one word longer than a line
        out.append(text.substr(0, cut)).append("\n").append(indent, ' ');
        text.remove_prefix(std::min(text.size(), cut + (text[cut] == ' ' ? 1 : 0)));
    }
    return out.append(text);
}

// One event, written as fmt writes it ("#{} answered {}"), after the time of day, whole. It holds
// what a client sent (a path is any bytes but spaces and controls, 0x9b too): shown, never obeyed.
inline void explain_line(const std::string& event) {
    const std::string line = printable(event);
    static std::mutex one_line_at_a_time;
    static const std::size_t columns = static_cast<std::size_t>(explain_columns());
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
