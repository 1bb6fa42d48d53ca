#pragma once
// The lab's endpoints, mirroring the documents' example apps, decided without any I/O so that
// every bound a request can set is checked in one place (and unit-tested).
#include <string>
#include <string_view>

#include "lab/clock.hpp"
#include "lab/server/service_record.hpp"

namespace lab {

inline constexpr long max_delay_ms = 60'000;  // for /delay and /cpu alike
inline constexpr long default_delay_ms = 100;

struct Route {
    enum class Kind { root, health, stats, delay, cpu, error };
    Kind kind = Kind::error;
    Micros amount{0};         // for Kind::delay (time to wait) and Kind::cpu (CPU time to use)
    bool reset = false;       // for Kind::stats: ?reset=1 clears the maxima after reading
    int status = 200;         // for Kind::error: 400, 404 or 405
    std::string error_body;   // for Kind::error: JSON with the reason
    std::string allow;        // for 405: the methods the path does accept
};

// Decides what a request asks for, or why it cannot have it.
Route route(std::string_view method, std::string_view target);

std::string root_body();
std::string health_body();
std::string delay_body(const ServiceRecord& served, Micros delay);
std::string cpu_body(const ServiceRecord& served, Micros cpu);
std::string stats_body(bool reset);
std::string error_body(int status, std::string_view reason);

}  // namespace lab
