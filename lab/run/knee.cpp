#include "lab/run/knee.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/statistics.hpp"

namespace lab {
namespace {

// A step whose mean latency is this much over the best below it is past the knee
constexpr double latency_bound = 1.15;

// Neighbouring steps' means differ by up to 1.6 % on their own below any limit (measured on two
// cores; more on a busier machine): a smaller rise says nothing, however few the steps between.
constexpr double step_noise = 1.05;

// A process that ran this much of a CPU over a step had its interpreter's one core full: its
// threads run Python one at a time, under the GIL.
constexpr double one_core_full = 0.9;

// The loop's holds grow with the round's requests it takes in turn from about this many in flight;
// below, a request's own few ms (about 3 at 1 in flight) hide the trend.
constexpr int loop_trend_from = 16;

bool failed(const RampStep& s) { return s.failed > 0 || s.answered == 0; }

// In a closed loop, Little's law: throughput = in flight / mean latency (the throughput counted
// in a step of a few rounds is coarser: a round cut off at its end is not counted).
double little_rps(const RampStep& s) { return s.in_flight / (s.mean_ms / 1000); }

// Whether the probe saw requests of the step queue for a limiter: a thread token, the executor's
// workers, a pool's connection. Past the knee by the probe's own count: a few in flight over a
// limit of 40 raise the mean latency by less than the noise does.
bool queued_for_a_limiter(const LimiterCounts& c) {
    return c.tokens_waiting > 0 || c.token_waits > 0 || c.executor_queued > 0 || c.pool_waits > 0;
}

bool bent(const RampStep& step, const RampStep& below, double best_mean_ms) {
    const double more_in_flight = static_cast<double>(step.in_flight) / below.in_flight - 1;
    const bool stopped_growing = step.mean_ms > step_noise * below.mean_ms &&
                                 little_rps(step) < little_rps(below) * (1 + more_in_flight / 2);
    return failed(step) || step.mean_ms > latency_bound * best_mean_ms || stopped_growing ||
           queued_for_a_limiter(step.counted);
}

// Where the loop's holds would reach `rise_ms`: their trend c + K·h, fitted (least squares) to the
// steps below `bent_at` from loop_trend_from in flight; none where fewer than two were counted or
// the holds did not grow. One step's long hold (the machine paused the loop) is no trend.
std::optional<double> loop_reaches(const std::vector<RampStep>& steps, std::size_t bent_at,
                                   double rise_ms) {
    std::vector<const RampStep*> points;
    for (std::size_t i = 0; i < bent_at; ++i)
        if (steps[i].in_flight >= loop_trend_from && steps[i].counted.loop_held_ms >= 0)
            points.push_back(&steps[i]);
    if (points.size() < 2) return std::nullopt;
    double mean_k = 0, mean_held = 0, covariance = 0, variance = 0;
    for (const RampStep* s : points) mean_k += s->in_flight, mean_held += s->counted.loop_held_ms;
    mean_k /= points.size(), mean_held /= points.size();
    for (const RampStep* s : points)
        covariance += (s->in_flight - mean_k) * (s->counted.loop_held_ms - mean_held),
            variance += (s->in_flight - mean_k) * (s->in_flight - mean_k);
    if (covariance <= 0) return std::nullopt;
    return mean_k + (rise_ms - mean_held) / (covariance / variance);
}

}  // namespace

RampStep ramp_step(LoadSpec spec, int in_flight, int rounds,
                   const std::function<LimiterCounts(const Batch&)>& counted) {
    spec.concurrency = in_flight;
    spec.requests = rounds * in_flight;
    const Batch b = run_concurrent_batch(spec);
    const BatchStats stats = summarize(b);
    RampStep s{.in_flight = in_flight, .answered = stats.ok, .failed = stats.failed};
    s.counted = counted(b);
    if (stats.ok == 0) return s;
    s.p50_ms = stats.latency_p50_s * 1e3, s.mean_ms = stats.latency_mean_s * 1e3;
    // The server's own rate, where the probe counted what it served (a loop that works 50 ms after
    // each answer serves 20 a second, however fast it answers); never more than the answers' (an
    // app may answer for the probe)
    const LimiterCounts& c = s.counted;
    s.throughput_rps = c.served > 0 && c.served_ms > 0
                           ? std::min(stats.throughput_rps, c.served * 1e3 / c.served_ms)
                           : stats.throughput_rps;
    return s;
}

std::size_t first_bent(const std::vector<RampStep>& steps) {
    if (steps.empty() || failed(steps[0])) return 0;
    double best_mean_ms = steps[0].mean_ms;
    for (std::size_t i = 1; i < steps.size(); ++i) {
        if (bent(steps[i], steps[i - 1], best_mean_ms)) return i;
        best_mean_ms = std::min(best_mean_ms, steps[i].mean_ms);
    }
    return steps.size();
}

std::optional<int> knee_in_flight(const std::vector<RampStep>& steps) {
    const std::size_t bent_at = first_bent(steps);
    if (bent_at == 0 || bent_at == steps.size()) return std::nullopt;
    return steps[bent_at - 1].in_flight;
}

std::string counted_cause(const std::vector<RampStep>& steps) {
    const std::size_t bent_at = first_bent(steps);
    if (bent_at == 0 || bent_at == steps.size()) return "";
    const RampStep& bent = steps[bent_at];
    const LimiterCounts& c = bent.counted;
    if (c.connections_opened > 0 && c.pool_kept > 0 && bent.in_flight > c.pool_kept)
        return fmt::format(
            "the pool's {} kept connections: past them each request opened a connection of its "
            "own ({} opened during the step)",
            c.pool_kept, c.connections_opened);
    // A full core first: the loop never pauses then, so its stretch is the core's work, not why.
    if (c.cpu_cores >= one_core_full)
        return fmt::format("one interpreter's core: {} at {} in flight", cpu_ran(c),
                           bent.in_flight);
    // The loop only if it was held as long as the latency rose (a few threads started, a turn at
    // the GIL, hold it a moment at any step; a loop that bends the route holds it for the rise),
    // and its holds' trend reached the knee's rise by then, within 15 %: not one step's outlier.
    const double rise_ms = (latency_bound - 1) * steps[0].mean_ms;
    const auto trend_reaches = loop_reaches(steps, bent_at, rise_ms);
    if (c.loop_held_ms >= std::max(rise_ms, bent.mean_ms - steps[0].mean_ms) && trend_reaches &&
        *trend_reaches <= latency_bound * bent.in_flight)
        return fmt::format(
            "the loop: one interpreter took the requests in turn, holding it {:.1f} ms at a "
            "stretch at {} in flight",
            c.loop_held_ms, bent.in_flight);
    return "";
}

std::string tokens_named(int tokens) { return fmt::format("AnyIO's {} thread tokens", tokens); }

std::string pool_named(int capacity, int kept) {
    if (kept >= 0 && kept < capacity)
        return fmt::format("SQLAlchemy's pool of {} + {} connections (pool_size + max_overflow)",
                           kept, capacity - kept);
    return fmt::format("the pool's {} connection{}", capacity, capacity == 1 ? "" : "s");
}

std::string cpu_ran(const LimiterCounts& c) {
    return c.cpu_cores < 0 ? ""
                           : fmt::format("the server ran {:.0f} % of a CPU", 100 * c.cpu_cores);
}

int doubling_steps(int max_in_flight) {
    return static_cast<int>(std::ceil(std::log2(std::max(max_in_flight, 1)))) + 1;
}

int most_steps(int max_in_flight) { return 3 * doubling_steps(max_in_flight) - 1; }

std::vector<RampStep> ramp_up(int max_in_flight, const std::function<RampStep(int)>& step) {
    std::vector<RampStep> steps;
    auto take = [&](int k) {
        const auto at = std::ranges::upper_bound(steps, k, {}, &RampStep::in_flight);
        const std::size_t place = static_cast<std::size_t>(at - steps.begin());
        steps.insert(at, step(k));
        // Bent by its latency alone: measured again, and the calmer kept. A real bend shows
        // twice; a pause of the machine (another process, a sanitizer's, a collector's) seldom.
        RampStep& s = steps[place];
        if (first_bent(steps) == place && !failed(s) && !queued_for_a_limiter(s.counted))
            if (const RampStep again = step(k); !failed(again) && again.mean_ms < s.mean_ms)
                s = again;
    };
    for (int k = 1;; k = std::min(2 * k, max_in_flight)) {
        take(k);
        if (first_bent(steps) < steps.size() || k >= max_in_flight) break;
    }
    // Halved between the last good step and the first bent one, until they are one apart.
    for (std::size_t bent = first_bent(steps); bent > 0 && bent < steps.size();
         bent = first_bent(steps)) {
        const int good = steps[bent - 1].in_flight, over = steps[bent].in_flight;
        if (over - good <= 1) break;
        take(good + (over - good) / 2);
    }
    return steps;
}

void check_step_fields(const nlohmann::json& j, const char* what) {
    if (!j.is_object())
        throw std::invalid_argument(fmt::format("{}: an object, not {:.40}", what, j.dump()));
    for (const auto& [key, value] : j.items()) {
        const double lo = key == "in_flight" ? 1 : -1;
        if (key == "counted") check_step_fields(value, "counted");
        else if (!value.is_number() || !(value.get<double>() >= lo && value.get<double>() <= 1e9))
            throw std::invalid_argument(
                fmt::format("{}: a number from {} to 1e9, not {:.40}", key, lo, value.dump()));
    }
}

}  // namespace lab
