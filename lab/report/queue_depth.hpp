#pragma once
// How many jobs waited in the queue, moment by moment: for a configuration that queues its work
// (queue_workers), from each job's own stamps (queued by Redis, started by a worker), so no
// sampling is needed. Drawn under the answer-vs-done bars, on the timelines' time axis.
#include <cstdint>
#include <string>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

struct QueueDepth {
    std::string label;
    // (µs from the batch's first send, depth from then on)
    std::vector<std::pair<std::int64_t, int>> steps;
    int most = 0;
};

// One per configuration that queues, from its median batch.
std::vector<QueueDepth> queue_depths(const RunResult& run);

// The depths as text, one row per configuration: the most jobs waiting in each slice of
// `axis_us`, as a digit (+ for ten or more), within `columns`.
std::string queue_depth_text(const std::vector<QueueDepth>& depths, std::int64_t axis_us,
                             int columns);

}  // namespace lab
