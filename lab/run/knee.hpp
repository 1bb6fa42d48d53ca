#pragma once
// Where load bends, one definition for all: a ramp keeps K requests in flight, closed-loop, a step
// at a time, K doubled from 1 until a step bends or reaches the top, then halved between the last
// good step and the first bent one, so the knee is found to the request. `lab doctor --ramp`
// (lab/doctor/ramp.cpp) and a lesson that ramps its rows ([load] ramp_max_in_flight,
// lab/run/lesson_ramp.hpp) step with ramp_up() and ramp_step(); knee_in_flight() reads the knee.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"

namespace lab {

// What the probe counted during a step (GET /__lab/limiters, lab/reference/limiters.py): each
// limit, and the most of it in use; -1 unknown (no probe, or the app has none of it).
struct LimiterCounts {
    int tokens_total = -1, tokens_borrowed = -1, tokens_waiting = -1;  // AnyIO's thread limiter
    int executor_workers = -1, executor_busy = -1, executor_queued = -1;  // asyncio's default
    int pool_capacity = -1, pool_checked_out = -1;  // SQLAlchemy's QueuePools: size + overflow
    int pool_waits = 0;  // checkouts that found every connection out
    int token_waits = 0;  // requests that waited for a thread token, and for how long in all
    double token_wait_ms = 0;
    // The server's process during the step: its CPU over the step's time, in cores (one Python
    // interpreter's loop is full near 1), and the connections its pools opened, of `pool_kept`
    // kept (SQLAlchemy opens one for each checkout past them, and closes it as it comes back)
    double cpu_cores = -1;
    int connections_opened = -1, pool_kept = -1;
    double loop_held_ms = -1;  // and the longest its loop ran callbacks without a pause
    int served = -1;  // and the requests it served (background tasks done), in the time from
    double served_ms = -1;  // the first's start to the last's end (answers outrun work after)
};
// A step or its counts from outside (the probe's GET /__lab/limiters, which an app may answer;
// doctor.json): every field a number from -1 (unknown) to a billion, a step's in_flight from 1
// ("counted" an object of such fields), or std::invalid_argument naming the field. Then get<>().
void check_step_fields(const nlohmann::json& j, const char* what);
// The probe's GET /__lab/limiters and doctor.json, read and kept with the same keys.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LimiterCounts, tokens_total, tokens_borrowed,
                                                tokens_waiting, executor_workers, executor_busy,
                                                executor_queued, pool_capacity, pool_checked_out,
                                                pool_waits, token_waits, token_wait_ms, cpu_cores,
                                                connections_opened, pool_kept, loop_held_ms, served,
                                                served_ms)

struct RampStep {
    int in_flight = 0;  // K, kept in flight closed-loop for the step
    int answered = 0, failed = 0;  // failed: no answer, or a 4xx/5xx
    double p50_ms = -1, mean_ms = -1;  // latency of the answered requests
    double throughput_rps = -1;  // served per second as its server counted, else answered
    LimiterCounts counted;  // what its server counted of itself meanwhile
};

// One step of every ramp: K in flight, closed-loop, `rounds` rounds of K (or for spec.run_for);
// its figures as summarize() counts a batch's, then `counted(batch)`: its server's own counts.
RampStep ramp_step(LoadSpec spec, int in_flight, int rounds,
                   const std::function<LimiterCounts(const Batch&)>& counted);

// The index of the first step past the knee in `steps` (sorted by in_flight), steps.size() when
// none is. A step is past the knee when any request failed, when its mean latency is more than
// 15 % over the best below it, when its throughput grew less than half as much as its requests
// in flight over the step below it (the extra requests wait, and latency grows instead; read only
// where its mean rose more than neighbouring steps' do on their own, 5 %), or when the probe
// counted requests queued for a limiter (a token, the executor, a pool's connection).
std::size_t first_bent(const std::vector<RampStep>& steps);
// The knee: the most in flight before the first bent step; none when no step bent (or the first).
std::optional<int> knee_in_flight(const std::vector<RampStep>& steps);

// Why the step past the knee bent, from what its server counted of itself where no limit it waits
// for was full: a pool that opened connections for requests past its kept ones; one
// interpreter's core full (its process ran 90 % of a CPU or more); or the loop, held at a stretch
// as long as the rise that marks the knee, its holds' trend over the steps below reaching it there
// (one interpreter takes a round's requests in turn, each waiting for those before it); "" when
// none was counted. The one wording of these causes, for the lessons and `lab doctor --ramp` alike.
std::string counted_cause(const std::vector<RampStep>& steps);
// The limits a knee names, in the one wording of the lessons and the doctor: "AnyIO's 40 thread
// tokens"; a SQLAlchemy pool that keeps fewer than it opens, "SQLAlchemy's pool of 5 + 10
// connections (pool_size + max_overflow)", any other "the pool's 20 connections".
std::string tokens_named(int tokens);
std::string pool_named(int capacity, int kept);
// "the server ran 18 % of a CPU" in a step, as a cause and an unexplained knee's figures say it;
// "" where it was not counted.
std::string cpu_ran(const LimiterCounts& c);

// The steps of doubling from 1 up to the top (1, 2, 4, ..., 32, 48: seven for 48), and the most a
// ramp takes: those, then halving the last gap, each bent step measured twice.
int doubling_steps(int max_in_flight);
int most_steps(int max_in_flight);
// About how long a ramp of `step_s` steps takes (the lessons' and the doctor's): one that
// serializes bends at 2 (three steps, the bent one twice); any other doubles to the top, then about
// two more.
inline double ramp_estimate_s(int max_in_flight, double step_s, bool serializes = false) {
    return (serializes ? 3 : doubling_steps(max_in_flight) + 2) * step_s;
}

// The ramp: `step(K)` measures K in flight; the steps it took, sorted by in_flight. A step bent by
// its latency alone (nothing failed, nothing counted queued) is measured again and the calmer of
// the two kept, so a moment's disturbance of the machine does not make a knee.
std::vector<RampStep> ramp_up(int max_in_flight, const std::function<RampStep(int)>& step);

}  // namespace lab
