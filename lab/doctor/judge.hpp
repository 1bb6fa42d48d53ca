#pragma once
// What `lab doctor`'s bursts add up to, route by route, and the verdict each earns, from what the
// probe measured only (never from `def` or `async def`). The verdicts are one table
// (verdict_text): what the route does to the loop and the lesson that shows it; a verdict of the
// loop held gets its fix from lab/run/fix_table.hpp, addressed to the code that held it.
#include <string>
#include <vector>

#include "lab/doctor/run.hpp"
#include "lab/doctor/verdict.hpp"

namespace lab {

struct VerdictText {
    const char* said;  // "holds the loop waiting"
    const char* lesson;  // "lab run blocking-async"
    const char* fix;  // one line
};
const VerdictText& verdict_text(RouteVerdict v);

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

// The longest hold's own time: less what a busy machine kept it queued for a core.
double longest_own_ms(const RouteFigures& f);
// Judges every route of a run, once: when the run ends (lab doctor) or its folder is read back.
void judge_routes(DoctorRun& run);

// The mixed phase: each route's latency among the others, and for a route that held the loop,
// how long, and how long the other routes' requests waited behind its holds.
struct MixedFigures {
    std::size_t route = 0;  // into DoctorRun::routes
    double p50_ms = -1, p99_ms = -1;
    double held_ms = -1;  // its requests' steps' time on the loop, their waits for the GIL included
    // The median other route's request: its time alive while this one held the loop
    double others_waited_ms = -1;
    double gil_wait_ms = 0;  // its requests' waits for the GIL, all of them
    std::string gil_wait_by;  // the request computing on a pool thread meanwhile, most often
};
std::vector<MixedFigures> mixed_figures(const MixedRun& mixed, const std::vector<RouteRun>& routes);

}  // namespace lab
