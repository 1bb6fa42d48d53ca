#include "lab/figures/route_figures.hpp"

#include <algorithm>

#include "harness/statistics.hpp"

namespace lab {
namespace {

// Each verdict's words, lesson and fix: the table lab/README.md shows.
const VerdictText verdicts[] = {
    {"holds the loop waiting", "lab run blocking-async",
     "make it `def` (FastAPI runs it in the thread pool), or await an async client (asyncio.sleep, "
     "httpx, asyncpg, redis.asyncio)"},
    {"holds the loop computing", "lab run qr-code",
     "make it `def` for CPU under 50 ms; over 50 ms, a process pool (run_in_executor) or a queue "
     "(RQ)"},
    {"holds the loop after its answer", "lab run background-tasks",
     "make the background function `def` (it runs in the thread pool), or await inside it"},
    {"leaves the loop free, computes under the GIL", "lab run gil-convoy",
     "a process pool or a queue for CPU over 50 ms: threads take turns at one GIL"},
    {"waits for a pool thread", "lab run thread-pool",
     "await an async client instead of a `def` route, or raise the pool's limit (AnyIO's 40)"},
    {"concurrent", "lab run blocking-async",
     "nothing to fix: it awaits, and the loop serves the others meanwhile"},
    {instant_verdict, "", ""},
    {"kept the bystander waiting", "lab run head-of-line",
     "without the lab's probe the cause and the line are unknown: run `lab doctor` on the app "
     "itself"},
    {"did not keep the bystander waiting", "", ""},
    {"not judged", "", ""},
};

double median(std::vector<double> v) { return v.empty() ? -1 : percentile(std::move(v), 50); }

// The bursts' server-side figures: medians of the requests' own, the longest hold of all.
void probe_side(RouteFigures& f, const std::vector<ProbeRecord>& records) {
    std::vector<double> held, after, pool, pool_cpu, pool_wait, gil;
    f.longest_hold_ms = 0;
    double located_ms = 0;
    for (const ProbeRecord& r : records) {
        held.push_back(r.loop_ms);
        after.push_back(r.held_after_answer_ms);
        pool.push_back(r.pool_ms);
        pool_cpu.push_back(r.pool_cpu_ms);
        pool_wait.push_back(r.pool_wait_ms);
        gil.push_back(r.gil_wait_ms);
        f.held_max_ms = std::max(f.held_max_ms, r.loop_ms);
        if (r.longest_hold_ms >= f.longest_hold_ms) f.longest_hold_ms = r.longest_hold_ms;
        // Where: the longest hold the watchdog located (on a busy machine it may miss some).
        if (!r.where.empty() && (f.where.empty() || r.longest_hold_ms >= located_ms))
            located_ms = r.longest_hold_ms, f.cpu_share = r.cpu_share, f.where = r.where;
    }
    f.held_ms = median(held), f.after_answer_ms = median(after);
    f.pool_ms = median(pool), f.pool_cpu_ms = median(pool_cpu), f.pool_wait_ms = median(pool_wait);
    f.gil_wait_ms = median(gil);
}

// The verdict, from the server's own figures: the loop's time first (a route that holds it is
// never concurrent, whatever its stamps overlap), then the thread pool's. The loop is held by one
// hold past the threshold found in the app's own code, or by an `async def` route's holds adding
// up to it. A long step with no place in the app is the framework's waiting for the GIL while
// `def` routes compute on pool threads: theirs is the GIL's verdict, not the loop's.
// A route that held nothing and whose requests were each served before the next was sent
// (`instant`) is said to be too fast to tell: "concurrent" would claim an await it never showed.
RouteVerdict judged(const RouteFigures& f, double hold_ms, bool is_async, bool instant) {
    if (f.answered == 0 || f.held_ms < 0) return RouteVerdict::not_judged;
    if ((f.longest_hold_ms >= hold_ms && !f.where.empty()) || (is_async && f.held_ms >= hold_ms)) {
        if (f.after_answer_ms >= f.held_ms / 2) return RouteVerdict::holds_loop_after;
        return f.cpu_share >= 0.5 ? RouteVerdict::holds_loop_computing
                                  : RouteVerdict::holds_loop_waiting;
    }
    if (f.pool_cpu_ms >= hold_ms) return RouteVerdict::computes_under_gil;
    if (f.pool_wait_ms >= hold_ms) return RouteVerdict::pool_bound;
    return instant ? RouteVerdict::instant : RouteVerdict::concurrent;
}

}  // namespace

const VerdictText& verdict_text(RouteVerdict v) { return verdicts[static_cast<int>(v)]; }

VerdictWords verdict_words(const RouteFigures& f) {
    const VerdictText& v = verdict_text(f.verdict);
    VerdictWords words{v.said, ""};
    if (holds_the_loop(f.verdict) && !f.where.empty()) words.verdict += " at " + f.where;
    if (f.verdict == RouteVerdict::instant) words.reason = instant_reason;
    else if (f.verdict != RouteVerdict::concurrent && *v.fix)
        words.reason = std::string(v.fix) + ". See it: " + v.lesson;
    return words;
}

bool holds_the_loop(RouteVerdict v) {
    return v == RouteVerdict::holds_loop_waiting || v == RouteVerdict::holds_loop_computing ||
           v == RouteVerdict::holds_loop_after || v == RouteVerdict::delays_others;
}

double bystander_worst_ms(const Batch& burst) {
    double worst = -1;
    for (const RequestRecord& p : burst.probes)
        if (p.ok()) worst = std::max(worst, static_cast<double>(p.latency_us()) / 1e3);
    return worst;
}

bool verdict_holds_the_loop(std::string_view stored) {
    for (std::size_t v = 0; v < std::size(verdicts); ++v) {
        std::string_view said = verdicts[v].said;
        if (holds_the_loop(static_cast<RouteVerdict>(v)) && stored.starts_with(said) &&
            (stored.size() == said.size() || stored[said.size()] == ' ' ||
             stored[said.size()] == ';'))
            return true;
    }
    return false;
}

RouteFigures route_figures(const RouteRun& run, double hold_ms) {
    RouteFigures f;
    if (!run.judged() || run.burst.requests.empty()) return f;
    BatchStats stats = summarize(run.burst);
    f.sent = static_cast<int>(run.burst.requests.size());
    f.answered = stats.ok;
    for (const RequestRecord& r : run.burst.requests) ++f.statuses[r.status];
    if (stats.ok > 0)
        f.makespan_s = stats.makespan_s, f.p50_ms = stats.latency_p50_s * 1e3,
        f.p99_ms = stats.latency_p99_s * 1e3;
    f.bystander_worst_ms = bystander_worst_ms(run.burst);
    if (!run.probed) {  // only what a client can tell: whether the bystander waited behind the
                        // burst
        bool waited = f.bystander_worst_ms >= 0 &&
                      f.bystander_worst_ms - std::max(run.bystander_alone_ms, 0.0) >= hold_ms;
        f.verdict = f.bystander_worst_ms < 0 ? RouteVerdict::not_judged
                    : waited                 ? RouteVerdict::delays_others
                                             : RouteVerdict::delays_no_one;
        return f;
    }
    if (!run.records.empty()) probe_side(f, run.records);
    f.verdict = judged(f, hold_ms, run.request.route.is_async, too_fast_to_tell(stats));
    return f;
}

namespace {

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
        // While this route's code held the loop, every other request alive then waited for it.
        std::vector<std::pair<std::int64_t, std::int64_t>> holds;
        m.held_ms = 0;
        for (const ProbeRecord& mine : mixed.records)
            if (mine.target == target)
                m.held_ms += mine.loop_ms,
                    holds.insert(holds.end(), mine.spans.begin(), mine.spans.end());
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

}  // namespace lab
