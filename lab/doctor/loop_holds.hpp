#pragma once
// Where on a burst's time axis the app's own code held the loop: each request's callbacks of 1 ms
// or more (lab/reference/loop_ledger.py's spans), timed on the probe's clock, moved onto the axis
// the harness drew the burst on. report.html draws them on the loop's own row
// (LoopHold: lab/report/timeline.hpp).
#include <vector>

#include "lab/report/timeline.hpp"

namespace lab {

struct RouteRun;  // (run.hpp)
struct MixedRun;

// A route's burst, its holds in order; named when the route's verdict is the loop held.
std::vector<LoopHold> loop_holds(const RouteRun& route);
// The mixed phase's, each with its route's place among the mixed ones.
std::vector<LoopHold> loop_holds(const MixedRun& mixed, const std::vector<RouteRun>& routes);

}  // namespace lab
