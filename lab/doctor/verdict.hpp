#pragma once
// What a route's burst adds up to, as a doctor's run keeps it: its figures, client-side and from
// the probe, and the verdict they earn (lab/doctor/judge.hpp tells which, and says it in words).
#include <algorithm>
#include <map>
#include <string>

#include "lab/run/fix_table.hpp"

namespace lab {

enum class RouteVerdict {
    holds_loop_waiting,  // waits on the loop: time.sleep, a sync driver or client in `async def`
    holds_loop_computing,  // its code computes on the loop
    holds_loop_after,  // a background task holds the loop after the answer
    holds_loop_in_slices,  // no one hold past the threshold, but its many short ones add up
    holds_loop_for_gil,  // its steps on the loop waited for the GIL while threads computed
    computes_under_gil,  // frees the loop (`def`) but computes; other threads waited for the GIL
    pool_bound,  // waits for a thread of the pool
    concurrent,  // awaits: nothing held
    instant,  // answers before the next request arrives: nothing to overlap, nothing held
    disturbed,  // its loop time was mostly the machine's (queued for a core): not judged
    delays_others,  // --target, no probe: the bystander waited behind the burst
    delays_no_one,  // --target, no probe: the bystander did not
    not_judged,  // not sent, or it answered 4xx/5xx
};

// Whether the verdict is of the loop held, or, without a probe, of others kept waiting (exit 1).
inline bool holds_the_loop(RouteVerdict v) {
    return v == RouteVerdict::holds_loop_waiting || v == RouteVerdict::holds_loop_computing ||
           v == RouteVerdict::holds_loop_after || v == RouteVerdict::holds_loop_in_slices ||
           v == RouteVerdict::holds_loop_for_gil || v == RouteVerdict::delays_others;
}

// One route's burst, server-side and client-side. ms unless named; -1 unknown.
struct RouteFigures {
    int sent = 0, answered = 0;
    std::map<int, int> statuses;  // code -> how many (0: no answer came)
    int over_limit = 0;  // answered, but larger than the harness reads (AnswerLimits): not kept
    double makespan_s = -1;
    double p50_ms = -1, p99_ms = -1;  // latency
    double held_ms = -1, held_max_ms = -1;  // each request's own loop time: median, most
    double longest_hold_ms = -1;  // the longest single hold of any request
    double longest_own_ms = -1;  // the longest own time of a hold, where the probe read it
    double cpu_share = -1;  // of that hold
    double after_answer_ms = -1;  // median held after the answer
    double pool_ms = -1, pool_cpu_ms = -1, pool_wait_ms = -1;  // medians
    double gil_wait_ms = -1;  // median: its steps on the loop waiting for others' GIL
    double longest_gil_ms = -1;  // the longest one step waited for it
    std::string pool_dependency;  // "the dependency `get_db`": a `def` one run on the pool
    std::string
        gil_by;  // another route's request computing in that wait ("GET /crunch"); "": its own
    double pool_blocked_ms = -1;  // median: asleep on its pool thread (another thread's GIL)
    // Of its requests' callbacks whose CPU was read: the share computing (of the time not queued
    // for a core) and the share queued (the machine's); -1 when none was read.
    double measured_cpu_share = -1, queued_share = -1;
    double bystander_worst_ms = -1;
    std::string where;  // the longest hold's line and call
    std::string call;  // the call it was in ("time.sleep"), or "computing"
    int bursts = 1;  // sent (up to 3: RouteRun::repeats), the last judged
    double first_call_ms = -1;  // its warm-up's hold, when no burst held: a first call's cost
    std::string first_call_where;
    Owner owner = Owner::route;  // whose code held the loop, and its name
    std::string owner_name;
    RouteVerdict verdict = RouteVerdict::not_judged;
    // The longest hold its row shows: held for the GIL, its longest wait for it (its verdict's).
    double longest_said_ms() const {
        const bool gil = verdict == RouteVerdict::holds_loop_for_gil;
        return gil ? std::max(longest_hold_ms, longest_gil_ms) : longest_hold_ms;
    }
};

}  // namespace lab
