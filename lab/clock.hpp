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

// Unix time minus monotonic time, in microseconds: what turns a stamp by another process's wall
// clock (PostgreSQL's clock_timestamp(), Redis's TIME) into our monotonic microseconds. Both clocks
// are read back to back, the pair with the least time between them kept: a thread preempted between
// the two reads would otherwise shift every stamp converted with it by the time it was away.
// Convert all of one answer's stamps with one offset, so their differences stay the other clock's.
std::int64_t unix_minus_monotonic_us();

// "2026-11-22 08:30:01.123456", the format the documents' FastAPI examples log.
std::string wall_clock_text();

// "2026-11-22T08-30-01Z": a UTC timestamp that is also a safe folder name.
std::string utc_folder_stamp();

}  // namespace lab
