#pragma once
// Two clocks, for two readers: the harness lines up monotonic microseconds (CLOCK_MONOTONIC is
// shared by every process on the machine), people read wall-clock times like the documents'.
#include <chrono>
#include <cstdint>
#include <string>

namespace lab {

using Micros = std::chrono::microseconds;

inline std::int64_t monotonic_us() {
    return std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Unix time in microseconds: what a clock on another machine (Redis's TIME) can be lined up with.
inline std::int64_t unix_us() {
    return std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "2026-11-22 08:30:01.123456", the format the documents' FastAPI examples log.
std::string wall_clock_text();

// "2026-11-22T08-30-01Z": a UTC timestamp that is also a safe folder name.
std::string utc_folder_stamp();

}  // namespace lab
