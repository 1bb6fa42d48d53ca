#pragma once
// Open-loop load, as wrk2 taught the field: requests are due on a fixed schedule (rate R for S
// seconds) whatever the server does. A request that has to wait for a free connection is sent
// late, and its latency is counted from when it was due (corrected for coordinated omission)
// as well as from when it actually left (uncorrected). If the harness itself falls behind its
// schedule, that is flagged, never silently caught up.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "harness/histogram.hpp"
#include "harness/load_generator.hpp"

namespace lab {

// How late the harness may start a due request before its schedule counts as slipped: a few ms
// of scheduling noise are normal on a shared machine.
inline constexpr std::int64_t schedule_noise_us = 10'000;

struct OpenLoopSpec {
    LoadSpec base;  // host, port, method, target, timeout; concurrency = connections
    double rate = 100;  // requests per second
    std::chrono::milliseconds duration{5000};
    std::string stall_target;  // if set, sent once at stall_at on a connection of its own
    std::chrono::milliseconds stall_at{1000};
};

// What an open loop measured of its requests' times: one batch's, or several merged.
struct OpenLoopLatencies {
    Histogram corrected;  // end - due
    Histogram uncorrected;  // end - actually sent
    int late_for_connection = 0;  // sent more than 1 ms after due, waiting for a free connection
    std::int64_t harness_slip_us = 0;  // how far the harness's own schedule fell behind, at worst
    void merge(const OpenLoopLatencies& other);
};

struct OpenLoopResult : OpenLoopLatencies {
    Batch batch;  // every request (intended_us is its due time), the stall as a probe
};

// Counts one finished request into the histograms and late count: what the run does as requests
// finish, and what `lab report` does again from requests.csv.
void account(OpenLoopLatencies& result, const RequestRecord& r);

// Every request of a batch is kept (in memory, then in requests.csv): a batch holds at most this
// many, about 150 MB of records.
inline constexpr double max_open_loop_requests = 1'000'000;

// Why `rate` requests per second for `duration` cannot be sent as one batch (none would be
// sent, or too many would be kept), or nothing when it can.
std::optional<std::string> open_loop_problem(double rate, std::chrono::milliseconds duration);

// Throws std::invalid_argument when open_loop_problem() has one.
OpenLoopResult run_open_loop(const OpenLoopSpec& spec, int batch_number = 1);

}  // namespace lab
