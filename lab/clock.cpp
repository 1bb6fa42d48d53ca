#include "lab/clock.hpp"

#include <ctime>

#include <fmt/format.h>

namespace lab {

std::int64_t unix_minus_monotonic_us() {
    std::int64_t best_gap = INT64_MAX, offset = 0;
    for (int attempt = 0; attempt < 5 && best_gap > 2; ++attempt) {
        std::int64_t before = monotonic_us();
        std::int64_t unix =
            std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        std::int64_t after = monotonic_us();
        if (after - before < best_gap) {
            best_gap = after - before;
            offset = unix - (before + (after - before) / 2);
        }
    }
    return offset;
}

std::string wall_clock_text() {
    auto now = std::chrono::system_clock::now();
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    long micros = static_cast<long>(
        std::chrono::duration_cast<Micros>(now.time_since_epoch()).count() % 1'000'000);
    // The date and time to the second change once a second; every request stamps twice. So each
    // thread writes them out (the time zone's rules, strftime) only when the second has changed.
    thread_local std::time_t last_second = -1;
    thread_local std::string to_the_second;
    if (seconds != last_second) {
        std::tm local{};
        localtime_r(&seconds, &local);
        char text[32];
        to_the_second.assign(text, std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local));
        last_second = seconds;
    }
    return fmt::format("{}.{:06}", to_the_second, micros);
}

std::string utc_folder_stamp() {
    std::time_t seconds = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H-%M-%SZ", &utc);
    return text;
}

}  // namespace lab
