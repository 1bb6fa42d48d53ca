#include "lab/doctor/page.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "lab/doctor/judge.hpp"
#include "lab/doctor/knee.hpp"
#include "lab/doctor/page.html.mustache.hpp"
#include "lab/doctor/report.hpp"
#include "lab/report/rendered_page.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

using kainjow::mustache::data, kainjow::mustache::list;

// A verdict or a fix as HTML: escaped (escape(), the page's one way from text to HTML), then each
// `name` between backticks set as code, as the terminal's Markdown-like text writes it.
std::string with_code(const std::string& text) {
    std::string html = escape(text), out;
    bool open = false;
    for (char c : html) {
        if (c == '`') out += (open = !open) ? "<code>" : "</code>";
        else out += c;
    }
    return open ? out + "</code>" : out;
}

list route_rows(const DoctorRun& run) {
    list rows;
    for (const RouteRun* judged : culprits_first(run)) {
        const RouteFigures& f = judged->figures;
        const VerdictWords words = verdict_words(f);
        data row{"route", request_named(*judged)};
        row.set("verdict", with_code(words.verdict));
        if (!words.reason.empty()) row.set("fix", with_code(words.reason));
        if (holds_the_loop(f.verdict)) row.set("culprit", true);
        row.set("held", number_text(f.held_ms));
        row.set("longest", number_text(f.longest_said_ms()));
        row.set("bystander", number_text(f.bystander_worst_ms));
        rows.push_back(row);
    }
    return rows;
}

// Where on a burst's time axis the app's own code held the loop: each request's callbacks of 1 ms
// or more (lab/reference/loop_ledger.py's spans), timed on the probe's clock, moved onto the axis
// the harness drew the burst on, for the loop's own row (LoopHold: lab/report/timeline.hpp).

// The probe's clock (CLOCK_MONOTONIC µs) less the batch's time axis: the first request the app
// began, as both saw it (its x-lab-start-us, put on the axis by the harness; its record's start).
std::optional<std::int64_t> probe_clock_on_axis(const Batch& batch,
                                                const std::vector<ProbeRecord>& records) {
    std::optional<std::int64_t> stamped, recorded;
    for (const RequestRecord& q : batch.requests)
        if (q.has_server_stamps() && (!stamped || q.server_start_us < *stamped))
            stamped = q.server_start_us;
    for (const ProbeRecord& p : records)
        if (p.start_us >= 0 && (!recorded || p.start_us < *recorded)) recorded = p.start_us;
    if (!stamped || !recorded) return std::nullopt;
    return *recorded - *stamped;
}

// Each record's holds on the batch's axis; `endpoint_of` a record's place in the mix (-1: not one
// of the batch's), `named` whether that place's route holds the loop.
std::vector<LoopHold> holds_on_axis(const Batch& batch, const std::vector<ProbeRecord>& records,
                                    const std::function<int(const ProbeRecord&)>& endpoint_of,
                                    const std::function<bool(int)>& named) {
    std::vector<LoopHold> holds;
    auto origin = probe_clock_on_axis(batch, records);
    if (!origin) return holds;
    for (const ProbeRecord& p : records) {
        int endpoint = endpoint_of(p);
        if (endpoint < 0) continue;
        for (auto [from, to] : p.spans)
            holds.push_back({endpoint, from - *origin, to - *origin, named(endpoint)});
    }
    std::ranges::sort(holds, {}, &LoopHold::start_us);
    return holds;
}

// A route's burst, its holds in order; named when the route's verdict is the loop held.
std::vector<LoopHold> loop_holds(const RouteRun& route) {
    const bool named = holds_the_loop(route.figures.verdict);
    return holds_on_axis(
        route.burst, route.records, [](const ProbeRecord&) { return 0; },
        [&](int) { return named; });
}

// The mixed phase's, each with its route's place among the mixed ones.
std::vector<LoopHold> loop_holds(const MixedRun& mixed, const std::vector<RouteRun>& routes) {
    auto endpoint_of = [&](const ProbeRecord& p) {
        for (std::size_t k = 0; k < mixed.routes.size(); ++k)
            if (routes[mixed.routes[k]].request.target == p.target) return static_cast<int>(k);
        return -1;
    };
    auto named = [&](int k) {
        return holds_the_loop(routes[mixed.routes[static_cast<std::size_t>(k)]].figures.verdict);
    };
    return holds_on_axis(mixed.batch, mixed.records, endpoint_of, named);
}

// What the server was, for the timelines' legends and labels: the learner's app, one process.
Configuration app_named(const std::string& label) {
    return {.label = label, .mode = "app", .server = Server::app};
}

// The span a burst's timeline needs: first send to its last answer or hold of the loop.
std::int64_t span_us(const Batch& batch, const std::vector<LoopHold>& holds) {
    TimelineRows t = timeline_rows(batch, 0, 0, holds);
    return t.t1 - t.t0;
}

std::string burst_drawn(const Configuration& server, const Batch& batch,
                        std::vector<LoopHold> holds, std::int64_t axis,
                        const std::string& bystander, const std::vector<std::string>& routes = {}) {
    return timeline_svg({.configuration = server, .batch = batch, .holds = std::move(holds)}, axis,
                        false, 200, "timeline", bystander, routes);
}

// Each judged route's burst alone, on the axis of the longest.
data bursts(const DoctorRun& run) {
    std::int64_t axis = 0;
    for (const RouteRun* r : culprits_first(run))
        axis = std::max(axis, span_us(r->burst, loop_holds(*r)));
    list each;
    for (const RouteRun* r : culprits_first(run)) {
        data burst{"route", request_named(*r)};
        burst.set("svg", burst_drawn(app_named(request_named(*r)), r->burst, loop_holds(*r), axis,
                                     run.bystander));
        each.push_back(burst);
    }
    data section{"bursts", each};
    section.set("axis", seconds_text(axis));
    return section;
}

// --ramp: the capacity table, then each route's median latency and throughput against requests in
// flight, a line a route, its knee ringed; ticks at the ramp's doublings.
data capacity(const DoctorRun& run) {
    const auto rows = rows_of(capacity_columns(run));
    list header(rows.front().begin(), rows.front().end()), body;
    for (std::size_t k = 1; k < rows.size(); ++k)
        body.push_back(data{"cells", list(rows[k].begin(), rows[k].end())});
    CurveChart latency{"Median latency", "ms", 1, {}},
        throughput{"Throughput", "requests/s", 1, {}};
    for (const RouteRun* r : culprits_first(run)) {
        if (r->ramp.empty()) continue;
        Curve l{request_named(*r), {}}, t{request_named(*r), {}};
        for (const RampStep& s : r->ramp) {
            auto known = [](double v) { return v > 0 ? std::optional<double>(v) : std::nullopt; };
            l.points.push_back({.x = double(s.in_flight), .measured = known(s.p50_ms)});
            t.points.push_back({.x = double(s.in_flight), .measured = known(s.throughput_rps)});
        }
        if (auto knee = capacity_of(r->ramp, r->figures, run.probed).knee)
            l.ringed = t.ringed = *knee;
        latency.curves.push_back(std::move(l));
        throughput.curves.push_back(std::move(t));
    }
    std::vector<int> ticks{1};
    while (ticks.back() < run.max_in_flight)
        ticks.push_back(std::min(2 * ticks.back(), run.max_in_flight));
    std::ostringstream charts;
    for (const CurveChart* chart : {&latency, &throughput})
        curves_section(
            charts, *chart, ticks, "requests in flight",
            "A dot a step of the ramp (its requests kept in flight for the step's time); "
            "ringed: the route's knee, the most in flight before it bends.");
    data section{"header", header};
    section.set("rows", body);
    section.set("charts", charts.str());
    return section;
}

// Every judged route at once, each request coloured by its route.
data mixed(const DoctorRun& run) {
    std::vector<std::string> names;
    for (std::size_t place : run.mixed->routes) names.push_back(request_named(run.routes[place]));
    std::vector<LoopHold> holds = loop_holds(*run.mixed, run.routes);
    const std::string label = fmt::format("all {} routes at once", names.size());
    data section{"label", label};
    section.set("svg", burst_drawn(app_named(label), run.mixed->batch, holds,
                                   span_us(run.mixed->batch, holds), run.bystander, names));
    return section;
}

}  // namespace

std::string doctor_html(const DoctorRun& run) {
    data page = bursts(run);
    page.set("title", "lab doctor " + run.app);
    page.set("routes", route_rows(run));
    list not_judged;
    for (const RouteRun& r : run.routes)
        if (!has_verdict(r)) not_judged.push_back(r.request.route.key() + ": " + why_not_judged(r));
    page.set("any_not_judged", !not_judged.empty());
    page.set("not_judged", not_judged);
    if (run.mixed && !run.mixed->batch.requests.empty()) page.set("mixed", mixed(run));
    if (run.max_in_flight > 0) page.set("capacity", capacity(run));
    page.set("how",
             fmt::format("Each route of {} was sent {} requests at once, while a bystander asked "
                         "GET {} every 10 ms. A route whose own code holds the loop answers them "
                         "one after another and keeps the bystander waiting; a route that awaits "
                         "answers them together.",
                         run.app, run.requests, run.bystander));
    return rendered_page(doctor_page_mustache, "lab/doctor/page.html.mustache", page);
}

}  // namespace lab
