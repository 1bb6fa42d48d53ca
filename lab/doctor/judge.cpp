#include "lab/doctor/judge.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "harness/statistics.hpp"

namespace lab {
namespace {

// Each verdict's words, lesson and fix: the table lab/README.md shows. A verdict of the loop held
// takes its fix from fix_table.hpp instead, addressed to the code that held it.
const VerdictText verdicts[] = {
    {"holds the loop waiting", "lab run blocking-async", ""},
    {"holds the loop computing", "lab run qr-code", ""},
    {"holds the loop after its answer", "lab run background-tasks", ""},
    {"holds the loop in slices", "lab run cpu-bound", ""},
    {"holds the loop waiting for the GIL", "lab run gil-convoy",
     "run the Python computing of {name} in a process pool (`await loop.run_in_executor(pool, "
     "...)` with one ProcessPoolExecutor made at start-up): threads computing in Python keep the "
     "GIL from the loop's thread, and a `def` route would compute under the same GIL"},
    {"leaves the loop free, computes under the GIL", "lab run gil-convoy",
     "a process pool or a queue for CPU over 50 ms: other threads waited for the GIL while it "
     "computed"},
    {"waits for a pool thread", "lab run thread-pool",
     "await an async client instead of a `def` route, or raise the pool's limit (AnyIO's 40)"},
    {"concurrent", "lab run blocking-async",
     "nothing to fix: the loop served the others meanwhile"},
    {instant_verdict, "", ""},
    {"disturbed: not judged", "",
     "its loop time was mostly spent queued for a core, which the machine's other work took: "
     "run it again on a quieter machine"},
    {"kept the bystander waiting", "lab run head-of-line",
     "without the lab's probe the cause and the line are unknown: run `lab doctor` on the app "
     "itself"},
    {"did not keep the bystander waiting", "", ""},
    {"not judged", "", ""},
};
static_assert(std::size(verdicts) == static_cast<std::size_t>(RouteVerdict::not_judged) + 1);

constexpr const char* unplaced_fix =
    "no look of the probe found a line of yours nor FastAPI's work in it (the interpreter's own: "
    "a garbage collection; a library's C code called from no line of yours): run it again";

double median(std::vector<double> v) { return v.empty() ? -1 : percentile(std::move(v), 50); }

// The share of `part` in `whole`, -1 when there is no whole.
double share(double part, double whole) {
    return whole > 0 ? std::clamp(part / whole, 0.0, 1.0) : -1;
}

// Its own part of a time on the loop: less the share the machine kept it queued for a core.
double own_ms(const RouteFigures& f, double ms) { return ms * (1 - std::max(f.queued_share, 0.0)); }

// The bursts' server-side figures: medians of the requests' own, the longest hold of all, and
// the loop thread's CPU and run queue summed over every callback whose CPU was read.
void probe_side(RouteFigures& f, const std::vector<ProbeRecord>& records) {
    std::vector<double> held, after, pool, pool_cpu, pool_wait, gil, blocked;
    double located_ms = 0, measured = 0, cpu = 0, queued = 0;
    f.longest_hold_ms = 0;
    for (const ProbeRecord& r : records) {
        held.push_back(r.loop_ms), after.push_back(r.held_after_answer_ms);
        pool.push_back(r.pool_ms), pool_cpu.push_back(r.pool_cpu_ms);
        pool_wait.push_back(r.pool_wait_ms), gil.push_back(r.gil_wait_ms);
        blocked.push_back(r.pool_blocked_ms);
        f.held_max_ms = std::max(f.held_max_ms, r.loop_ms);
        f.longest_hold_ms = std::max(f.longest_hold_ms, r.longest_hold_ms);
        measured += r.measured_ms, cpu += r.measured_cpu_ms, queued += r.queued_ms;
        // The located hold's place, call and owner: the longest the watchdog located (on a busy
        // machine it may miss some).
        if (!r.where.empty() && (f.where.empty() || r.longest_hold_ms >= located_ms)) {
            located_ms = r.longest_hold_ms, f.cpu_share = r.cpu_share;
            f.where = r.where, f.call = r.call;
            f.owner = owner_named(r.owner), f.owner_name = r.owner_name;
        }
        if (r.longest_gil_ms > f.longest_gil_ms)  // (and whose threads computed meanwhile)
            f.longest_gil_ms = r.longest_gil_ms, f.gil_by = r.gil_wait_by;
        if (r.pool_owner == "dependency")
            f.pool_dependency = owner_phrase(Owner::dependency, r.pool_function);
    }
    f.held_ms = median(held), f.after_answer_ms = median(after);
    f.pool_ms = median(pool), f.pool_cpu_ms = median(pool_cpu), f.pool_wait_ms = median(pool_wait);
    f.gil_wait_ms = median(gil), f.pool_blocked_ms = median(blocked);
    f.measured_cpu_share = share(cpu, measured - queued), f.queued_share = share(queued, measured);
    f.longest_own_ms = -1;
    for (const ProbeRecord& r : records)
        if (r.longest_own_ms >= 0)
            f.longest_own_ms =
                std::max({f.longest_own_ms, r.longest_own_ms, own_ms(f, r.longest_unread_ms)});
}

// The loop thread's CPU share in the route's holds: from every callback whose CPU was read, else
// from the located hold's own.
double cpu_share(const RouteFigures& f) {
    return f.measured_cpu_share >= 0 ? f.measured_cpu_share : f.cpu_share;
}
bool computed(const RouteFigures& f) { return cpu_share(f) >= 0.5; }

// The loop held, of which kind: after the answer, computing or waiting, in one go or in slices
// (no one hold of its own past the threshold: a busy machine stretches a slice it queued in).
RouteVerdict loop_held(const RouteFigures& f, double hold_ms) {
    if (f.after_answer_ms >= f.held_ms / 2) return RouteVerdict::holds_loop_after;
    if (longest_own_ms(f) < hold_ms) return RouteVerdict::holds_loop_in_slices;
    return computed(f) ? RouteVerdict::holds_loop_computing : RouteVerdict::holds_loop_waiting;
}

// Whether its requests held the loop, `def` or `async def`: in one hold of its own past the
// threshold located (in the app's code, or FastAPI's work for it; not a step the machine kept
// queued for a core), or in holds adding up to it (GIL waits apart).
bool held_the_loop(const RouteFigures& f, double hold_ms) {
    return (longest_own_ms(f) >= hold_ms && !f.where.empty()) || f.held_ms >= hold_ms;
}

// "Under the GIL" only when its threads (AnyIO's pool, an executor's) computed as much a request
// as the fix table sends to a process pool, slept half as long as they computed, and longer than
// they waited for a core: a function that computes sleeps only while another thread holds the GIL
// (sqlite3, hashlib and zlib let go of it: their threads queue for the cores instead; on a busy
// machine they also sleep a little, while a thread holding the GIL waits for a core).
bool under_the_gil(const RouteFigures& f) {
    double queued = f.pool_ms - f.pool_cpu_ms - f.pool_blocked_ms;
    return f.pool_cpu_ms >= process_pool_cpu_ms && f.pool_blocked_ms >= f.pool_cpu_ms / 2 &&
           f.pool_blocked_ms >= queued;
}

// The verdict, from the server's own figures. A route whose threads computed under the GIL, its
// longest hold not the loop's own computing located (or, located, too short to hold the loop: a
// collection's leftover, a short render), held the loop for the GIL as long as a hold (one wait for
// it, or one step queued while they took the cores), or not. Then the loop's time (a route whose
// requests hold it, in one hold or in many, is never concurrent, whatever its stamps overlap),
// unless most of that time was the machine's (queued for a core); then the thread pool's. A route
// that held nothing and whose requests were each served before the next was sent (`instant`) is too
// fast to tell: "concurrent" would claim an await it never showed.
RouteVerdict judged(const RouteFigures& f, double hold_ms, bool instant) {
    if (f.answered == 0 || f.held_ms < 0) return RouteVerdict::not_judged;
    if (under_the_gil(f) && (f.where.empty() || f.cpu_share < 0.5 || !held_the_loop(f, hold_ms)))
        return f.longest_gil_ms >= hold_ms || f.longest_hold_ms >= hold_ms
                   ? RouteVerdict::holds_loop_for_gil
                   : RouteVerdict::computes_under_gil;
    if (held_the_loop(f, hold_ms)) {
        bool machines = own_ms(f, f.held_ms) < hold_ms && longest_own_ms(f) < hold_ms;
        return machines ? RouteVerdict::disturbed : loop_held(f, hold_ms);
    }
    if (f.pool_wait_ms >= hold_ms) return RouteVerdict::pool_bound;
    return instant ? RouteVerdict::instant : RouteVerdict::concurrent;
}

// The kind of hold the fix table is asked about (its CPU a request: its own time on the loop,
// less what the machine kept it queued, times its CPU share).
HoldKind route_hold_kind(const RouteFigures& f) {
    HoldKind kind = hold_kind(cpu_share(f), own_ms(f, f.held_ms) * cpu_share(f));
    return kind != HoldKind::waiting && f.verdict == RouteVerdict::holds_loop_in_slices
               ? HoldKind::slices
               : kind;
}

// How long [from, to] overlaps the spans.
double overlap_ms(const std::vector<std::pair<std::int64_t, std::int64_t>>& spans,
                  std::int64_t from, std::int64_t to) {
    std::int64_t us = 0;
    for (auto [a, b] : spans) us += std::max<std::int64_t>(0, std::min(b, to) - std::max(a, from));
    return static_cast<double>(us) / 1e3;
}

// When the mixed batch was released, on the probe's clock: its first request's arrival.
std::int64_t release_us(const MixedRun& mixed) {
    std::int64_t first = -1;
    for (const ProbeRecord& r : mixed.records)
        if (r.start_us >= 0 && (first < 0 || r.start_us < first)) first = r.start_us;
    return first;
}

}  // namespace

// The lesser of two readings of a busy machine's part: by the route's share queued, and as the
// probe read it (a slice may queue far longer than the share says; a hold may wait neither
// computing nor queued, for another thread's GIL). Blamed only when both say it held that long.
double longest_own_ms(const RouteFigures& f) {
    const double by_share = own_ms(f, f.longest_hold_ms);
    return f.longest_own_ms >= 0 ? std::min(f.longest_own_ms, by_share) : by_share;
}

const VerdictText& verdict_text(RouteVerdict v) { return verdicts[static_cast<int>(v)]; }

VerdictWords verdict_words(const RouteFigures& f) {
    const VerdictText& v = verdict_text(f.verdict);
    VerdictWords words{v.said, "", v.fix, v.lesson};
    if (f.verdict == RouteVerdict::instant) words.reason = instant_reason;
    if (f.verdict == RouteVerdict::holds_loop_for_gil) {
        bool own = f.gil_by.empty();
        words.verdict +=
            own ? " while its own threads computed" : " while " + f.gil_by + " computed";
        words.fix = fmt::format(fmt::runtime(v.fix),
                                fmt::arg("name", own ? "`" + f.owner_name + "`" : f.gil_by));
    } else if (holds_the_loop(f.verdict) && f.verdict != RouteVerdict::delays_others) {
        Fix fix = fix_for(f.owner, route_hold_kind(f),
                          owners_call_family(f.call, f.where, f.owner_name), f.owner_name);
        const char* waited_in = waiting_on(call_family(f.call));
        if (f.verdict == RouteVerdict::holds_loop_waiting && *waited_in)
            words.verdict += std::string(" ") + waited_in;
        words.verdict += " in " + owner_phrase(f.owner, f.owner_name);
        words.verdict += f.where.empty() ? ", at no line the probe could place" : " at " + f.where;
        if (f.bursts > 1)
            words.verdict += fmt::format(" (intermittent: held in 1 of {} bursts)", f.bursts);
        words.fix = fix.text, words.lesson = fix.lesson;
        if (f.where.empty())  // (a fix for a line no look saw would be a guess: never one again)
            words.fix = unplaced_fix, words.lesson = "";
    }
    if (f.verdict == RouteVerdict::disturbed) words.reason = v.fix;
    else if (f.verdict != RouteVerdict::concurrent && !words.fix.empty())
        words.reason = words.fix + (words.lesson.empty() ? "" : ". See it: " + words.lesson);
    return words;
}

double bystander_worst_ms(const Batch& burst) {
    double worst = -1;
    for (const RequestRecord& p : burst.probes)
        if (p.ok()) worst = std::max(worst, static_cast<double>(p.latency_us()) / 1e3);
    return worst;
}

RouteFigures route_figures(const RouteRun& run, double hold_ms) {
    RouteFigures f;
    if (!run.judged() || run.burst.requests.empty()) return f;
    BatchStats stats = summarize(run.burst);
    f.sent = static_cast<int>(run.burst.requests.size());
    for (const RequestRecord& r : run.burst.requests)
        if (r.error == ErrorKind::head_over_limit || r.error == ErrorKind::body_over_limit)
            ++f.over_limit;
        else ++f.statuses[r.status];
    f.answered = stats.ok + f.over_limit;  // (an answer the lab did not keep was still answered)
    if (stats.ok > 0)
        f.makespan_s = stats.makespan_s, f.p50_ms = stats.latency_p50_s * 1e3,
        f.p99_ms = stats.latency_p99_s * 1e3;
    f.bystander_worst_ms = bystander_worst_ms(run.burst);
    if (!run.probed) {  // only what a client can tell: did the bystander wait behind the burst
        bool waited = f.bystander_worst_ms >= 0 &&
                      f.bystander_worst_ms - std::max(run.bystander_alone_ms, 0.0) >= hold_ms;
        f.verdict = f.bystander_worst_ms < 0 ? RouteVerdict::not_judged
                    : waited                 ? RouteVerdict::delays_others
                                             : RouteVerdict::delays_no_one;
        return f;
    }
    if (!run.records.empty()) probe_side(f, run.records);
    const std::string& target = run.request.target;
    if (f.gil_by == run.request.route.method + " " + target.substr(0, target.find('?')))
        f.gil_by.clear();  // (its own requests computed)
    if (f.owner_name.empty())  // no hold located: the route's own function
        f.owner_name = run.request.route.endpoint.substr(run.request.route.endpoint.find(':') + 1);
    f.verdict = judged(f, hold_ms, too_fast_to_tell(stats));
    f.bursts = 1 + run.repeats;
    if (run.repeats > 0 && !holds_the_loop(f.verdict))
        f.first_call_ms = run.warm.longest_hold_ms, f.first_call_where = run.warm.where;
    return f;
}

std::vector<MixedFigures> mixed_figures(const MixedRun& mixed,
                                        const std::vector<RouteRun>& routes) {
    std::vector<MixedFigures> out;
    for (std::size_t k = 0; k < mixed.routes.size(); ++k) {
        MixedFigures m{mixed.routes[k]};
        const std::string& target = routes[m.route].request.target;
        std::vector<double> latencies;
        for (const RequestRecord& r : mixed.batch.requests)
            if (r.endpoint == static_cast<int>(k) && r.ok())
                latencies.push_back(static_cast<double>(r.latency_us()) / 1e3);
        if (!latencies.empty())
            m.p50_ms = percentile(latencies, 50), m.p99_ms = percentile(latencies, 99);
        // Each other request alive while this route's steps held the loop (GIL waits too) waited.
        std::vector<std::pair<std::int64_t, std::int64_t>> holds;
        m.held_ms = 0;
        std::map<std::string, int> gil_by;
        for (const ProbeRecord& mine : mixed.records)
            if (mine.target == target)
                m.held_ms += mine.loop_ms + mine.gil_wait_ms + mine.gc_ms,
                    m.gil_wait_ms += mine.gil_wait_ms, ++gil_by[mine.gil_wait_by],
                    holds.insert(holds.end(), mine.spans.begin(), mine.spans.end());
        gil_by.erase("");
        if (!gil_by.empty())
            m.gil_wait_by =
                std::ranges::max_element(gil_by, {}, &decltype(gil_by)::value_type::second)->first;
        // Every request was sent at the release, so each waited from then until it was answered
        // (uvicorn reads a request only when the loop is free: its own start comes late).
        std::vector<double> waited;
        for (const ProbeRecord& other : mixed.records) {
            std::int64_t answered = other.answered_us >= 0 ? other.answered_us : other.done_us;
            if (other.target != target && answered >= 0)
                waited.push_back(overlap_ms(holds, release_us(mixed), answered));
        }
        m.others_waited_ms = median(waited);
        out.push_back(m);
    }
    return out;
}

void judge_routes(DoctorRun& run) {
    for (RouteRun& r : run.routes) r.figures = route_figures(r, run.hold_ms);
}

}  // namespace lab
