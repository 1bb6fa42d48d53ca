#pragma once
// A configuration's verdict in words, from its measured batches: which batch is the median one,
// and what it shows ("sequential", "concurrent", "limited to 4 at a time"), what its bystander
// saw, how its requests failed, and, for a student's app, what its own code held of the loop.

#include "lab/run/run_result.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// Sets result.makespan, result.median_batch and result.verdict from its batches and their stats.
void judge(ConfigurationResult& result, const Load& load);

}  // namespace lab
