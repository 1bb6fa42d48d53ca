#include "lab/doctor/knee.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lab/doctor/verdict.hpp"
#include "lab/layout.hpp"

namespace lab {
namespace {

// The limiter the probe found full at the first bent step, and its size; empty when none was.
std::string full_limiter(const LimiterCounts& c, double& limit) {
    if (c.pool_capacity > 0 && c.pool_checked_out >= c.pool_capacity) {
        limit = c.pool_capacity;
        if (c.tokens_total > c.pool_capacity && c.tokens_borrowed >= c.pool_capacity)
            return fmt::format(
                "the DB pool: the pool, {}, is narrower than the thread tokens, {}: threads wait "
                "holding their token",
                c.pool_capacity, c.tokens_total);
        return "the DB pool: " + pool_named(c.pool_capacity, c.pool_kept);
    }
    if (c.executor_workers > 0 && c.executor_busy >= c.executor_workers) {
        limit = c.executor_workers;
        return fmt::format("asyncio's default executor, {} workers", c.executor_workers);
    }
    if (c.tokens_total > 0 && c.tokens_borrowed >= c.tokens_total) {
        limit = c.tokens_total;
        return tokens_named(c.tokens_total);
    }
    return "";
}

// What the probe counted, when no limiter was full: the figures, for the reader to judge.
std::string unexplained(const RampStep& s) {
    const LimiterCounts& c = s.counted;
    std::string said = fmt::format("unexplained: at {} in flight", s.in_flight);
    auto add = [&](const char* what, int used, int of) {
        if (of > 0) said += fmt::format(", {} {} of {}", what, std::max(used, 0), of);
    };
    add("AnyIO's tokens", c.tokens_borrowed, c.tokens_total);
    add("the executor's workers", c.executor_busy, c.executor_workers);
    add("the pool's connections", c.pool_checked_out, c.pool_capacity);
    if (c.cpu_cores >= 0) said += ", " + cpu_ran(c);
    return said + fmt::format(", p50 {:.1f} ms", s.p50_ms);
}

}  // namespace

Capacity capacity_of(const std::vector<RampStep>& steps, const RouteFigures& route, bool probed) {
    Capacity c;
    if (steps.empty()) return c;
    for (const RampStep& s : steps) {  // (good answers only: a step with a failure is no ceiling)
        if (s.failed == 0) c.measured_rps = std::max(c.measured_rps, s.throughput_rps);
        c.failed += s.failed;
    }
    c.p50_at_1_ms = steps[0].p50_ms;
    c.knee = knee_in_flight(steps);
    const std::size_t bent_at = first_bent(steps);
    if (!c.knee) {
        c.cause = bent_at == 0 ? "failed at 1 in flight"
                               : fmt::format("none up to {} in flight", steps.back().in_flight);
        return c;
    }
    c.p50_at_knee_ms = steps[bent_at - 1].p50_ms;
    double limit = -1;
    const bool gil = route.verdict == RouteVerdict::holds_loop_for_gil;  // (its threads' turns)
    if (holds_the_loop(route.verdict) && !gil && route.held_ms > 0) {
        c.cause = fmt::format("the loop: each request holds it {:.1f} ms", route.held_ms);
        c.model_rps = 1000 / route.held_ms;
    } else if (!probed) {
        c.cause = "unknown without the lab's probe (--target): client-side figures only";
    } else if (c.cause = full_limiter(steps[bent_at].counted, limit); !c.cause.empty()) {
        if (!route.pool_dependency.empty() && c.cause.starts_with("AnyIO"))
            c.cause += ", taken by " + route.pool_dependency;  // (what the user sees on threads)
        c.model_rps = limit / (c.p50_at_1_ms / 1000);  // Little: in flight / latency
    } else if (route.pool_cpu_ms > 0 && route.pool_cpu_ms >= 0.5 * c.p50_at_1_ms) {
        // Computing on its thread most of its time alone: threads take turns for the one lock,
        // so more in flight only queue for it.
        c.cause = fmt::format(
            "the GIL: each request computes {:.1f} ms on its thread, one thread at a time",
            route.pool_cpu_ms);
        c.model_rps = 1000 / route.pool_cpu_ms;
    } else if (c.cause = counted_cause(steps); c.cause.empty()) {
        c.cause = unexplained(steps[bent_at]);
    }
    if (const RampStep& s = steps[bent_at]; s.failed > 0)  // (said first: what a gate fails on)
        c.cause =
            fmt::format("{} failed at {} in flight; ", count_of(s.failed, "answer"), s.in_flight) +
            c.cause;
    return c;
}

}  // namespace lab
