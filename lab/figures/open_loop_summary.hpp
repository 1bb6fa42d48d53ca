#pragma once
// An open loop's latencies, merged over its batches: from when each request was due (corrected
// for coordinated omission) and from when it was sent.
#include <cstdint>

#include "harness/histogram.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

struct OpenLoopSummary {
    Histogram corrected, uncorrected;
    int late = 0;  // requests that waited for a free connection
    std::int64_t slip_us = 0;  // how far the harness fell behind its schedule, at worst
};
OpenLoopSummary open_loop_summary(const ConfigurationResult& r);

}  // namespace lab
