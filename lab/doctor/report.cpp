#include "lab/doctor/report.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "harness/statistics.hpp"
#include "lab/doctor/judge.hpp"
#include "lab/doctor/knee.hpp"

namespace lab {
namespace {

std::string ms_or_dash(double ms) { return ms < 0 ? "—" : fmt::format("{:.1f} ms", ms); }

void add_row(std::vector<Column>& columns, const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < columns.size(); ++i) columns[i].cells.push_back(row[i]);
}

std::string statuses_text(const RouteFigures& f) {
    std::string out;
    for (auto [code, n] : f.statuses) {
        if (!out.empty()) out += ' ';
        out += code == 0 ? fmt::format("[no answer] {}", n) : fmt::format("[{}] {}", code, n);
    }
    if (f.over_limit > 0)  // (the server did answer: the lab did not keep it all)
        out += fmt::format("{}[answered, over {} KiB: not kept] {}", out.empty() ? "" : " ",
                           AnswerLimits{}.body >> 10, f.over_limit);
    return out;
}

// Without the probe (--target) a row says only what the bystander could tell: how long it waited.
std::vector<Column> bystander_columns(const DoctorRun& run) {
    std::vector<Column> c{
        {"route"}, {"verdict"}, {"bystander worst ms", {}, "bystander"}, {"p50 ms"}, {"p99 ms"}};
    c[0].wraps = c[1].wraps = true;
    c[1].is_verdict = true;
    for (const RouteRun* r : culprits_first(run)) {
        const RouteFigures& f = r->figures;
        add_row(c,
                {request_named(*r), verdict_text(f.verdict).said, number_text(f.bystander_worst_ms),
                 number_text(f.p50_ms), number_text(f.p99_ms)});
    }
    return c;
}

// A row a judged route: the loop's figures in ms (units in the headers keep the columns narrow).
std::vector<Column> judged_columns(const DoctorRun& run) {
    if (!run.probed) return bystander_columns(run);
    std::vector<Column> c{{"route"},
                          {"verdict"},
                          {"loop held ms / request", {}, "held ms"},
                          {"longest hold ms", {}, "longest"},
                          {"where"},
                          {"bystander worst ms", {}, "bystander"},
                          {"pool (cpu) ms", {}, "pool"}};
    for (int wrapping : {0, 1, 4}) c[static_cast<std::size_t>(wrapping)].wraps = true;
    c[1].is_verdict = true;
    for (const RouteRun* r : culprits_first(run)) {
        const RouteFigures& f = r->figures;
        add_row(c,
                {request_named(*r), verdict_text(f.verdict).said, number_text(f.held_ms),
                 number_text(f.longest_said_ms()), holds_the_loop(f.verdict) ? f.where : "",
                 number_text(f.bystander_worst_ms),
                 f.pool_ms <= 0 ? "—" : fmt::format("{:.1f} ({:.1f})", f.pool_ms, f.pool_cpu_ms)});
    }
    return c;
}

// The run's last line: how many routes held the loop, or that none could be judged.
std::string closing_line(const DoctorRun& run) {
    int culprits = routes_over(run);
    if (!run.probed)
        return culprits ? fmt::format("{} kept the bystander waiting {} ms or more ({:.1f} s).",
                                      count_of(culprits, "route"), run.hold_ms, run.run_s)
                        : fmt::format(
                              "No route kept the bystander waiting {} ms more than alone "
                              "({:.1f} s).",
                              run.hold_ms, run.run_s);
    if (culprits)
        return fmt::format(
            "{} held the loop ({} ms or more a request, in one go, in slices or waiting for "
            "the GIL; {:.1f} s).",
            count_of(culprits, "route"), run.hold_ms, run.run_s);
    if (routes_judged(run) == 0)
        return fmt::format(
            "No route could be judged ({:.1f} s), so nothing was measured and nothing passed: each "
            "route's reason is above; give the requests they need with --examples (path, query, "
            "body, form, headers, cookies) or --methods.",
            run.run_s);
    if (int failed = routes_failed(run); failed > 0)
        return fmt::format(
            "{} answered 5xx or nothing, not judged, so nothing passed ({:.1f} s): "
            "fix, or `skip = \"why\"` in --examples.",
            count_of(failed, "route"), run.run_s);
    return fmt::format("No route held the loop {} ms or more a request ({:.1f} s).", run.hold_ms,
                       run.run_s);
}

// Each culprit's lesson and fix, in words.
void print_fixes(std::ostream& out, const DoctorRun& run, int width) {
    auto say = [&](const std::string& text) { out << wrap(text, width) << '\n'; };
    for (const RouteRun* judged : culprits_first(run)) {
        const RouteRun& r = *judged;
        const RouteFigures& f = r.figures;
        if (f.answered < f.sent || f.over_limit > 0 ||
            (!f.statuses.empty() &&
             (f.statuses.begin()->first < 200 || f.statuses.rbegin()->first >= 400)))
            say(fmt::format("· {}: its burst's answers, {} of {}: {}", request_named(r), f.answered,
                            f.sent, statuses_text(f)));
        if (f.first_call_ms >= 0)  // (a cache filled, a client made)
            say(fmt::format(
                "· {}: its first call alone held the loop {:.1f} ms at {}, then {} bursts less",
                request_named(r), f.first_call_ms, f.first_call_where, f.bursts));
        if (f.verdict == RouteVerdict::concurrent || f.verdict == RouteVerdict::instant ||
            f.verdict == RouteVerdict::not_judged || f.verdict == RouteVerdict::delays_no_one)
            continue;
        if (f.verdict == RouteVerdict::delays_others) {  // how long; the why is said once, below
            out << fmt::format("✗ {} kept the bystander waiting {}\n", request_named(r),
                               ms_or_dash(f.bystander_worst_ms));
            continue;
        }
        const VerdictWords words = verdict_words(f);
        const char* mark = f.verdict == RouteVerdict::disturbed ? "–" : "✗";  // (the machine's)
        say(fmt::format("{} {} {}: {}.", mark, request_named(r), words.verdict, words.reason));
    }
    if (!run.probed && routes_over(run) > 0)  // (why, once: the same for every route)
        say("For each: " +
            verdict_words(RouteFigures{.verdict = RouteVerdict::delays_others}).reason + ".");
}

void print_mixed(std::ostream& out, const DoctorRun& run, int width) {
    if (!run.mixed) return;
    out << "\nAll judged routes at once (" << run.requests << " of each):\n";
    for (const MixedFigures& m : mixed_figures(*run.mixed, run.routes)) {
        const RouteRun& r = run.routes[m.route];
        std::string line = fmt::format("  {}: p50 {}, p99 {}", request_named(r),
                                       ms_or_dash(m.p50_ms), ms_or_dash(m.p99_ms));
        const bool culprit = run.probed && holds_the_loop(r.figures.verdict);
        if (culprit)  // (its waits for the GIL are part of its hold: said as "of it")
            line += fmt::format("; held the loop {} in {}", ms_or_dash(m.held_ms),
                                count_of(run.requests, "request"));
        const std::string by =
            m.gil_wait_by == r.request.route.key() ? "its other requests" : m.gil_wait_by;
        if (run.probed && m.gil_wait_ms >= 1)  // (whose computing, when the probe saw it)
            line += fmt::format(
                fmt::runtime(culprit ? ", {} of it waiting for the GIL{}"
                                     : "; its requests waited {} in all for the GIL{}"),
                ms_or_dash(m.gil_wait_ms), by.empty() ? "" : " while " + by + " computed");
        if (culprit)
            line += fmt::format("; the other routes' requests waited {} each (median) behind it",
                                ms_or_dash(m.others_waited_ms));
        out << wrap(line, width) << '\n';
    }
}

// The routes not judged, those with the same reason together ("not sent: only GET and HEAD ...:
// POST /orders, POST /cart"), each answered 4xx/5xx with its answer's first line.
void print_not_judged(std::ostream& out, const DoctorRun& run, int width) {
    std::vector<std::pair<std::string, std::string>> reasons;  // reason, routes; in the app's order
    for (const RouteRun& r : run.routes) {
        if (has_verdict(r)) continue;
        std::string why = why_not_judged(r);
        const std::string route = r.request.route.key();
        auto same = std::ranges::find(reasons, why, &std::pair<std::string, std::string>::first);
        if (same == reasons.end()) reasons.emplace_back(why, route);
        else same->second += ", " + route;
    }
    auto say = [&](const std::string& text) { out << wrap(text, width) << '\n'; };
    for (const auto& [why, routes] : reasons) say("· " + routes + ": " + why);
    if (!run.probed)  // (what /openapi.json does not declare, the doctor cannot know of)
        say("· Routes /openapi.json does not list (a mounted app, static files) were not called: "
            "without the probe the doctor knows only the routes it declares; name them in "
            "--examples to call them.");
}

}  // namespace

std::vector<Column> capacity_columns(const DoctorRun& run) {
    std::vector<Column> c{{"route"},
                          {"knee (in flight)", {}, "knee"},
                          {"cause"},
                          {"ceiling req/s model / measured", {}, "ceiling /s"},
                          {"p50 ms at 1", {}, "p50 at 1"},
                          {"p50 ms at the knee", {}, "at knee"}};
    c[0].wraps = c[2].wraps = true;
    for (const RouteRun* r : culprits_first(run)) {
        if (r->ramp.empty()) continue;
        const Capacity cap = capacity_of(r->ramp, r->figures, run.probed);
        add_row(c, {request_named(*r), cap.knee ? std::to_string(*cap.knee) : "none", cap.cause,
                    number_text(cap.model_rps) + " / " + number_text(cap.measured_rps),
                    number_text(cap.p50_at_1_ms), number_text(cap.p50_at_knee_ms)});
    }
    return c;
}

std::string number_text(double ms) { return ms < 0 ? "—" : fmt::format("{:.1f}", ms); }

std::string why_not_judged(const RouteRun& r) {
    if (!r.request.skipped.empty()) return "not sent: " + r.request.skipped;
    return "not judged: " +
           (r.judged() ? "its burst's answers, " + statuses_text(r.figures) : r.warm_said);
}

bool has_verdict(const RouteRun& r) {
    return r.judged() && r.figures.verdict != RouteVerdict::not_judged;
}

int routes_failed(const DoctorRun& run) {
    return static_cast<int>(std::count_if(run.routes.begin(), run.routes.end(), [](auto& r) {
        return r.request.skipped.empty() && !has_verdict(r) &&  // (its burst, after a warm-up ok)
               (r.warm_status == 0 || r.warm_status >= 500 || r.judged());
    }));
}

std::vector<const RouteRun*> culprits_first(const DoctorRun& run) {
    std::vector<std::pair<double, const RouteRun*>> taken;
    for (const RouteRun& r : run.routes) {
        if (!r.judged()) continue;
        const RouteFigures& f = r.figures;
        double took = f.held_ms >= 0 ? f.held_ms * f.sent : f.bystander_worst_ms;
        taken.emplace_back(holds_the_loop(f.verdict) ? std::max(took, 0.0) + 1 : 0, &r);
    }
    std::ranges::stable_sort(taken, std::greater{}, &std::pair<double, const RouteRun*>::first);
    std::vector<const RouteRun*> order;
    for (const auto& [ms, r] : taken) order.push_back(r);
    return order;
}

int routes_over(const DoctorRun& run) {
    return static_cast<int>(std::count_if(run.routes.begin(), run.routes.end(), [](auto& r) {
        return r.judged() && holds_the_loop(r.figures.verdict);
    }));
}

int routes_judged(const DoctorRun& run) {
    return static_cast<int>(std::count_if(run.routes.begin(), run.routes.end(), [](auto& r) {
        const RouteVerdict v = r.judged() ? r.figures.verdict : RouteVerdict::not_judged;
        return v != RouteVerdict::not_judged && v != RouteVerdict::disturbed;
    }));
}

void print_doctor_plan(std::ostream& out, const DoctorRun& run, const Layout& layout,
                       bool markdown) {
    std::vector<Column> c{{"route"}, {"handler"}, {"request it would send", {}, "request"}};
    c[0].wraps = c[2].wraps = true;
    for (const RouteRun& r : run.routes) {
        const PlannedRequest& p = r.request;
        std::string request = !p.skipped.empty() ? "not sent: " + p.skipped
                                                 : p.route.method + " " + p.target +
                                                       (p.body.empty() ? "" : " " + p.body);
        // "app.main:price" -> "price"
        std::string function = p.route.endpoint.substr(p.route.endpoint.find(':') + 1);
        add_row(c, {p.route.key(), (p.route.is_async ? "async def " : "def ") + function, request});
    }
    print_table(out, c, layout, markdown);
}

void print_doctor(std::ostream& shown, const DoctorRun& run, const Layout& layout, bool markdown) {
    const int width = layout.wide ? 100'000 : layout.columns;
    std::ostringstream out;  // the paragraphs name routes: shown as text, never obeyed
    auto flush = [&] {
        shown << printable(markdown ? markdown_text(out.str()) : out.str(), true), out.str("");
    };
    if (run.probed)
        out << wrap(fmt::format("lab doctor {}: each route {} at once, a bystander asking every 10 "
                                "ms; a hold of {} ms or more is named.",
                                run.app, run.requests, run.hold_ms),
                    width);
    else
        out << wrap(fmt::format("lab doctor --target {}: each route {} at once, a bystander asking "
                                "GET {} every 10 ms (alone: {}). "
                                "Without the lab's probe the loop's figures and the lines are "
                                "unknown: client-side figures only; a "
                                "route is named when the bystander waited {} ms more than alone.",
                                run.app, run.requests, run.bystander,
                                ms_or_dash(run.bystander_alone_ms), run.hold_ms),
                    width);
    out << "\n\n";
    flush();
    if (std::any_of(run.routes.begin(), run.routes.end(), [](auto& r) { return r.judged(); })) {
        print_table(shown, judged_columns(run), layout, markdown);
        shown << '\n';
    }
    print_fixes(out, run, width);
    print_mixed(out, run, width);
    if (run.max_in_flight > 0) {
        out << wrap(fmt::format("\nEach route ramped, up to {} in flight (the knee: the most in "
                                "flight before latency rises and throughput stops growing):",
                                run.max_in_flight),
                    width)
            << '\n';
        flush();
        print_table(shown, capacity_columns(run), layout, markdown);
        shown << '\n';
    }
    print_not_judged(out, run, width);
    out << '\n' << wrap(closing_line(run), width) << '\n';
    flush();
}

}  // namespace lab
