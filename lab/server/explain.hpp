#pragma once
// `lab serve --explain`: one line per event, for a projector while students send requests.
//   08:30:01.123  #3 GET /delay?ms=2000 arrived
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "lab/clock.hpp"

namespace lab {

inline std::atomic<bool> explaining{false};

inline void explain(const char* format, ...) __attribute__((format(printf, 1, 2)));
inline void explain(const char* format, ...) {
    if (!explaining) return;
    static std::mutex one_line_at_a_time;
    std::lock_guard lock(one_line_at_a_time);
    std::string now = wall_clock_text();  // "2026-11-22 08:30:01.123456": keep the time of day, to ms
    std::printf("%.12s  ", now.c_str() + 11);
    va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::printf("\n");
    std::fflush(stdout);
}

}  // namespace lab
