#pragma once
// A lesson that ramps ([load] ramp_max_in_flight = M): after its batches, each row asked with K
// requests in flight, closed-loop, K stepped as `lab doctor --ramp` steps it (lab/run/knee.hpp),
// and its knee said with its cause: the limit its requests wait for, from what is known of its
// server (the threads and connections the lab started a C++ mode with; what a FastAPI twin read
// of its own running AnyIO limiter and database pool), never guessed.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/load_spec.hpp"
#include "lab/run/knee.hpp"
#include "lab/run/progress.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// The ramp of `spec`'s request. Each step sends ramp_rounds rounds of K over K connections (the
// first shows a limit already, K over it waiting a whole round; the second its steady state) and
// counts every answer, so no request of a step runs on into the next; then the server's own count
// (its GET `account`, the lab's C++ modes': requests that found every pool thread or connection in
// use) is kept as the doctor keeps its probe's. Each step is shown on `progress` (may be null).
constexpr int ramp_rounds = 2;
std::vector<RampStep> ramp_configuration(LoadSpec spec, int max_in_flight,
                                         const std::string& account, Progress* progress);

// Why the row bends where it does: its limit ("the pool's 40 threads"), when the knee is within
// 15 % of its size (exact for 1); else "unexplained: ..." with the limit it has; "" without a knee.
// `twin_limits`: a twin's own count of them (its GET /stats's "limits"), empty for a C++ mode.
std::string knee_cause(const Configuration& c, const Load& load, const std::vector<RampStep>& steps,
                       const nlohmann::json& twin_limits);

// "knee at 40 in flight: the pool's 40 threads" (or none up to the top, or failed at 1), as the
// terminal and report.html say it; "" for a row that was not ramped.
std::string knee_said(const std::vector<RampStep>& steps, const std::string& cause);

}  // namespace lab
