#pragma once
// Where a route bends, and why (`lab doctor --ramp`): each step of a ramp keeps K requests in
// flight and measures what came back, the probe counting its limiters meanwhile; the knee and its
// cause are read from those steps alone, never guessed, by the one definition below.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lab {

struct RouteFigures;  // (judge.hpp: whether the route holds the loop, and how long)

// What the probe counted during a step (GET /__lab/limiters, lab/reference/limiters.py): each
// limit, and the most of it in use; -1 unknown (no probe, or the app has none of it).
struct LimiterCounts {
    int tokens_total = -1, tokens_borrowed = -1, tokens_waiting = -1;  // AnyIO's thread limiter
    int executor_workers = -1, executor_busy = -1, executor_queued = -1;  // asyncio's default
    int pool_capacity = -1, pool_checked_out = -1;  // SQLAlchemy's QueuePools: size + overflow
    int pool_waits = 0;  // checkouts that found every connection out
    int token_waits = 0;  // requests that waited for a thread token, and for how long in all
    double token_wait_ms = 0;
};
// The probe's GET /__lab/limiters and doctor.json, read and kept with the same keys.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LimiterCounts, tokens_total, tokens_borrowed,
                                                tokens_waiting, executor_workers, executor_busy,
                                                executor_queued, pool_capacity, pool_checked_out,
                                                pool_waits, token_waits, token_wait_ms)

struct RampStep {
    int in_flight = 0;  // K, kept in flight closed-loop for the step's time
    int answered = 0, failed = 0;  // failed: no answer, or a 4xx/5xx
    double p50_ms = -1, mean_ms = -1;  // latency of the answered requests
    double throughput_rps = -1;  // answered per second, first send to last answer
    LimiterCounts counted;
};

// The index of the first step past the knee in `steps` (sorted by in_flight), steps.size() when
// none is. A step is past the knee when any request failed, when its mean latency is more than
// 15 % over the best below it, when its throughput grew less than half as much as its requests
// in flight over the step below it (the extra requests wait, and latency grows instead), or when
// the probe counted requests queued for a limiter (a token, the executor, a pool's connection).
std::size_t first_bent(const std::vector<RampStep>& steps);
// The knee: the most in flight before the first bent step; none when no step bent (or the first).
std::optional<int> knee_in_flight(const std::vector<RampStep>& steps);

// A route's capacity as every output says it.
struct Capacity {
    std::optional<int> knee;
    std::string cause;  // "AnyIO's 40 thread tokens", "the loop: ...", "unexplained: ..."
    // The ceiling by Little's law (the limit / the latency alone), and the most measured
    double model_rps = -1, measured_rps = -1;
    double p50_at_1_ms = -1, p50_at_knee_ms = -1;
};
// From a route's ramp (sorted by in_flight) and its burst's figures (a route that holds the loop
// is bound by it: ceiling 1 / hold). `probed`: the limiters were counted.
Capacity capacity_of(const std::vector<RampStep>& steps, const RouteFigures& route, bool probed);

}  // namespace lab
