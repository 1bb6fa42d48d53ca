#include "lab/report/doctor_page.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "lab/doctor/judge.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::list;

std::string ms_cell(double ms) { return ms < 0 ? "—" : fmt::format("{:.1f}", ms); }

bool is_route_row(const ConfigurationResult& r) { return !r.configuration.target_path.empty(); }

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

list route_rows(const RunResult& run) {
    list rows;
    for (const ConfigurationResult& r : run.configurations) {
        if (!is_route_row(r) || r.batches.empty()) continue;
        const std::size_t m = r.median_batch;
        data row{"route", r.configuration.label};
        row.set("verdict", with_code(r.verdict));
        if (!r.verdict_reason.empty()) row.set("fix", with_code(r.verdict_reason));
        if (verdict_holds_the_loop(r.verdict)) row.set("culprit", true);
        row.set("held", ms_cell(m < r.held_per_request_ms.size() ? r.held_per_request_ms[m] : -1));
        row.set("longest", ms_cell(m < r.loop_blocked_ms.size() ? r.loop_blocked_ms[m] : -1));
        row.set("bystander", ms_cell(bystander_worst_ms(r.batches[m])));
        rows.push_back(row);
    }
    return rows;
}

}  // namespace

std::vector<std::string> mixed_route_names(const RunResult& run, const ConfigurationResult& r) {
    std::vector<std::string> names;
    if (run.scenario.kind != RunKind::doctor || is_route_row(r)) return names;
    for (const WeightedTarget& t : load_targets(run.scenario.load))
        names.push_back((t.method.empty() ? run.scenario.load.method : t.method) + " " + t.target);
    return names;
}

data doctor_page(const RunResult& run) {
    data page{"routes", route_rows(run)};
    for (const ConfigurationResult& r : run.configurations) {
        auto names = mixed_route_names(run, r);
        if (is_route_row(r) || names.empty() || r.batches.empty() || !r.error.empty()) continue;
        std::ostringstream svg;
        timeline_svg(svg, r, shared_axis_us(run), false, 200, "timeline",
                     run.scenario.load.probe_path, names);
        data mixed{"label", r.configuration.label};
        mixed.set("svg", svg.str());
        page.set("mixed", mixed);
    }
    return page;
}

}  // namespace lab
