#pragma once
// What `lab doctor`'s bursts add up to, route by route, and the verdict each earns, from what the
// probe measured only (never from `def` or `async def`). The verdicts are one table
// (verdict_text): what the route does to the loop and the lesson that shows it; a verdict of the
// loop held gets its fix from lab/run/fix_table.hpp, addressed to the code that held it.
#include <map>
#include <string>
#include <vector>

#include "lab/run/fix_table.hpp"

namespace lab {

struct Batch;  // (harness/load_generator.hpp)
struct RouteRun;  // (run.hpp: each route's burst holds its figures, judged once)
struct MixedRun;
struct DoctorRun;

enum class RouteVerdict {
    holds_loop_waiting,  // its code waits on the loop: time.sleep, a sync driver or client in
                         // `async def`
    holds_loop_computing,  // its code computes on the loop
    holds_loop_after,  // a background task holds the loop after the answer
    holds_loop_in_slices,  // no one hold past the threshold, but its many short ones add up
    computes_under_gil,  // leaves the loop free (`def`) but computes, and other threads waited
                         // for the GIL meanwhile
    pool_bound,  // waits for a thread of the pool
    concurrent,  // awaits: nothing held
    instant,  // answers before the next request arrives: nothing to overlap, nothing held
    disturbed,  // its loop time was mostly the machine's (queued for a core): not judged
    delays_others,  // --target, no probe: the bystander waited behind the burst
    delays_no_one,  // --target, no probe: the bystander did not
    not_judged,  // not sent, or it answered 4xx/5xx
};

struct VerdictText {
    const char* said;  // "holds the loop waiting"
    const char* lesson;  // "lab run blocking-async"
    const char* fix;  // one line
};
const VerdictText& verdict_text(RouteVerdict v);

// One route's burst, server-side and client-side. ms unless named; -1 unknown.
struct RouteFigures {
    int sent = 0, answered = 0;
    std::map<int, int> statuses;  // code -> how many (0: no answer came)
    int over_limit = 0;  // answered, but larger than the harness reads (AnswerLimits): not kept
    double makespan_s = -1;
    double p50_ms = -1, p99_ms = -1;  // latency
    double held_ms = -1, held_max_ms = -1;  // each request's own loop time: median, most
    double longest_hold_ms = -1;  // the longest single hold of any request
    double cpu_share = -1;  // of that hold
    double after_answer_ms = -1;  // median held after the answer
    double pool_ms = -1, pool_cpu_ms = -1, pool_wait_ms = -1;  // medians
    double gil_wait_ms = -1;  // median: its steps on the loop waiting for others' GIL
    double pool_blocked_ms = -1;  // median: asleep on its pool thread (another thread's GIL)
    // Of its requests' callbacks whose CPU was read: the share computing (of the time not queued
    // for a core) and the share queued (the machine's); -1 when none was read.
    double measured_cpu_share = -1, queued_share = -1;
    double bystander_worst_ms = -1;
    std::string where;  // the longest hold's line and call
    std::string call;  // the call it was in ("time.sleep"), or "computing"
    Owner owner = Owner::route;  // whose code held the loop, and its name
    std::string owner_name;
    RouteVerdict verdict = RouteVerdict::not_judged;
};

// A route's verdict as every output shows it, made here only: the short verdict ("holds the loop
// waiting in the route `price` at app/x.py:9 f → time.sleep") and its reason (the fix and the
// lesson that shows it, or why it could not be told); report.html lays out the two, the terminal
// joins them. `fix` and `lesson` alone, for the JSON.
struct VerdictWords {
    std::string verdict, reason;
    std::string fix, lesson;
};
VerdictWords verdict_words(const RouteFigures& f);

// The longest the bystander waited during a burst (ms; -1: it was never answered): how long the
// others were kept waiting. route_figures' own, and report.html's from a results folder.
double bystander_worst_ms(const Batch& burst);

// `hold_ms`: a hold this long is the loop held (the doctor's --fail-over).
RouteFigures route_figures(const RouteRun& run, double hold_ms);
// Every route of a run judged, once: when the run ends, or when its folder is read back.
void judge_routes(DoctorRun& run);

// Whether the verdict is one of the loop held, or, without a probe, of others kept waiting (the
// doctor's exit 1).
bool holds_the_loop(RouteVerdict v);
// The same of a row's verdict as a results folder keeps it (its words first: "holds the loop
// waiting at ...").
bool verdict_holds_the_loop(std::string_view stored);

// The mixed phase: each route's latency among the others, and for a route that held the loop,
// how long, and how long the other routes' requests waited behind its holds.
struct MixedFigures {
    std::size_t route = 0;  // into DoctorRun::routes
    double p50_ms = -1, p99_ms = -1;
    double held_ms = -1;  // all its requests' loop time
    // The median other route's request: its time alive while this one held the loop
    double others_waited_ms = -1;
    double gil_wait_ms = 0;  // its requests' waits for the GIL, all of them
    std::string gil_wait_by;  // the request computing on a pool thread meanwhile, most often
};
std::vector<MixedFigures> mixed_figures(const MixedRun& mixed, const std::vector<RouteRun>& routes);

}  // namespace lab
