#include "lab/doctor/page.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lab/doctor/judge.hpp"
#include "lab/doctor/loop_holds.hpp"
#include "lab/doctor/page.html.mustache.hpp"
#include "lab/doctor/report.hpp"
#include "lab/report/rendered_page.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;

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
        row.set("longest", number_text(f.longest_hold_ms));
        row.set("bystander", number_text(f.bystander_worst_ms));
        rows.push_back(row);
    }
    return rows;
}

// What the server was, for the timelines' legends and labels: the learner's app, one process.
Configuration app_named(const std::string& label) {
    Configuration c;
    c.label = label;
    c.mode = "app";
    c.server = Server::app;
    return c;
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
        if (!r.judged())
            not_judged.push_back(r.request.route.method + " " + r.request.route.path + ": " +
                                 why_not_judged(r));
    page.set("any_not_judged", !not_judged.empty());
    page.set("not_judged", not_judged);
    if (run.mixed && !run.mixed->batch.requests.empty()) page.set("mixed", mixed(run));
    page.set("how",
             fmt::format("Each route of {} was sent {} requests at once, while a bystander asked "
                         "GET {} every 10 ms. A route whose own code holds the loop answers them "
                         "one after another and keeps the bystander waiting; a route that awaits "
                         "answers them together.",
                         run.app, run.requests, run.bystander));
    return rendered_page(doctor_page_mustache, "lab/doctor/page.html.mustache", page);
}

}  // namespace lab
