#pragma once
// Where a route bends, and why (`lab doctor --ramp`): each step of a ramp keeps K requests in
// flight and measures what came back, the probe counting its limiters meanwhile; the knee and its
// cause are read from those steps alone, never guessed (the knee: lab/run/knee.hpp).
#include <optional>
#include <string>
#include <vector>

#include "lab/run/knee.hpp"  // RampStep, LimiterCounts, knee_in_flight: the one definition

namespace lab {

struct RouteFigures;  // (judge.hpp: whether the route holds the loop, and how long)

// A route's capacity as every output says it.
struct Capacity {
    std::optional<int> knee;
    std::string cause;  // "AnyIO's 40 thread tokens", "the loop: ...", "unexplained: ..."
    // The ceiling by Little's law (the limit / the latency alone), and the most measured
    double model_rps = -1, measured_rps = -1;
    double p50_at_1_ms = -1, p50_at_knee_ms = -1;
    int failed = 0;  // answers that failed over the ramp: a gate (--fail-under) fails on any
};
// From a route's ramp (sorted by in_flight) and its burst's figures (a route that holds the loop
// is bound by it: ceiling 1 / hold). `probed`: the limiters were counted.
Capacity capacity_of(const std::vector<RampStep>& steps, const RouteFigures& route, bool probed);

}  // namespace lab
