// `lab doctor`'s run as a lesson's run: a row a judged route (its burst its one batch, its
// verdict with the line and the fix), the mixed phase last, written through summary.json's one
// schema and drawn by report.html on one time axis.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "lab/doctor/judge.hpp"
#include "lab/figures/figure_value.hpp"
#include "lab/report/doctor_report.hpp"

namespace lab {
namespace {

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

// Each request's holds of 1 ms or more on the batch's axis; `endpoint_of` a record's place in the
// mix (-1: not one of the batch's), `named` whether that place's route holds the loop.
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
    std::sort(holds.begin(), holds.end(),
              [](const LoopHold& a, const LoopHold& b) { return a.start_us < b.start_us; });
    return holds;
}

// A row's one batch, numbered 1 (0 is a warm-up's number; the doctor's warm-up is one request,
// not kept), with what the probe said of it.
void with_batch(ConfigurationResult& c, const Batch& batch, double longest_ms, double held_ms,
                const std::string& where) {
    c.batches = {batch};
    c.batches.front().number = 1;
    for (auto* records : {&c.batches.front().requests, &c.batches.front().probes})
        for (RequestRecord& q : *records) q.batch = 1;
    c.stats = {summarize(c.batches.front())};
    c.makespan = spread_of({c.stats.front().makespan_s});
    c.loop_blocked_ms = {longest_ms}, c.max_computing = {-1};
    c.held_per_request_ms = {held_ms}, c.held_where = {where};
}

// The mixed phase as the last row: every judged route at once, on the same time axis.
ConfigurationResult mixed_row(const DoctorRun& d, int number) {
    ConfigurationResult c;
    c.configuration.label = fmt::format("all {} routes at once", d.mixed->routes.size());
    c.configuration.number = number;
    c.configuration.mode = "app";
    c.configuration.server = Server::app;
    c.configuration.app = d.app_spec;
    c.configuration.app_dir = d.app_dir;
    c.configuration.requests = c.configuration.concurrency =
        d.requests * static_cast<int>(d.mixed->routes.size());
    with_batch(c, d.mixed->batch, -1, -1, "");
    const std::vector<std::size_t>& places = d.mixed->routes;
    auto endpoint_of = [&](const ProbeRecord& p) {
        for (std::size_t k = 0; k < places.size(); ++k)
            if (d.routes[places[k]].request.target == p.target) return static_cast<int>(k);
        return -1;
    };
    auto named = [&](int k) {
        return holds_the_loop(d.routes[places[static_cast<std::size_t>(k)]].figures.verdict);
    };
    c.loop_holds = {holds_on_axis(d.mixed->batch, d.mixed->records, endpoint_of, named)};
    c.verdict = "mixed: each route's requests among the others'";
    return c;
}

// The mixed phase's targets, as a `lab load`'s mix names them (path, then more_paths): what a
// request's `endpoint` points at, in requests.csv and on report.html's timeline.
void mixed_targets(Load& load, const DoctorRun& d) {
    if (!d.mixed || d.mixed->routes.empty()) return;
    load.path = d.routes[d.mixed->routes.front()].request.target;
    for (std::size_t k = 1; k < d.mixed->routes.size(); ++k)
        load.flags.more_paths.push_back(d.routes[d.mixed->routes[k]].request.target);
    for (std::size_t place : d.mixed->routes)
        load.flags.target_methods.push_back(d.routes[place].request.route.method);
}

}  // namespace

RunResult doctor_as_run(const DoctorRun& d) {
    RunResult run;
    Scenario& s = run.scenario;
    s.name = doctor_scenario_name;
    s.kind = RunKind::doctor;
    s.title = "lab doctor " + d.app;
    s.teaching = fmt::format(
        "Each route of {} was sent {} requests at once, while a bystander asked the lab's probe "
        "every 10 ms. "
        "A route whose own code holds the loop answers them one after another and keeps the "
        "bystander waiting; "
        "a route that awaits answers them together.",
        d.app, d.requests);
    s.load.requests = s.load.concurrency = d.requests;
    s.load.repeat = 1;
    s.load.path = "/";
    s.load.delay_ms = 0;  // (no d: each route does its own work)
    s.load.probe_path = "/__lab/health";
    s.load.probe_every_ms = 10;
    mixed_targets(s.load, d);
    for (const RouteRun* judged : culprits_first(d)) {
        const RouteRun& r = *judged;
        const RouteFigures& f = r.figures;
        ConfigurationResult c;
        c.configuration.label = r.request.route.method + " " + r.request.target;
        c.configuration.number = static_cast<int>(run.configurations.size()) + 1;
        c.configuration.mode = "app";
        c.configuration.server = Server::app;
        c.configuration.app = d.app_spec;
        c.configuration.app_dir = d.app_dir;
        c.configuration.target_path = r.request.target;
        with_batch(c, r.burst, f.longest_hold_ms, f.held_ms, f.where);
        const bool named = holds_the_loop(f.verdict);
        c.loop_holds = {holds_on_axis(
            r.burst, r.records, [](const ProbeRecord&) { return 0; }, [&](int) { return named; })};
        VerdictWords words = verdict_words(f);
        c.verdict = std::move(words.verdict), c.verdict_reason = std::move(words.reason);
        run.configurations.push_back(std::move(c));
    }
    if (d.mixed)
        run.configurations.push_back(mixed_row(d, static_cast<int>(run.configurations.size()) + 1));
    run.run_s = d.run_s;
    measure_figures(run);
    return run;
}

}  // namespace lab
