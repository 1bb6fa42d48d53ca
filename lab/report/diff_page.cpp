// diff.html: lab diff's page, from diff.html.mustache with report.html's style and escape().
#include <algorithm>
#include <tuple>

#include "lab/report/rendered_page.hpp"
#include "lab/report/run_diff.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/timeline.hpp"
#include "lab/report/diff.html.mustache.hpp"

namespace lab {

namespace {

using kainjow::mustache::data, kainjow::mustache::list;

// Each configuration both runs have, A's timeline above B's, on one time axis.
list paired_timelines(const RunDiff& d, const RunResult& a, const RunResult& b, std::int64_t axis) {
    list out;
    for (const RunDiff::Shared& both : d.shared)
        for (const auto& [run, r, in, shares] : {std::tuple{"A", both.in_a, &a, &both.shares_a},
                                                 std::tuple{"B", both.in_b, &b, &both.shares_b}}) {
            data t{"run", std::string(run)};
            t.set("label", r->configuration.label);
            t.set("svg", timeline_svg(median_batch_drawn(*r), axis, false, 40, "timeline",
                                      in->scenario.load.probe_path));
            if (!shares->empty()) t.set("shares", *shares);
            out.push_back(t);
        }
    return out;
}

}  // namespace

std::string html_diff(const RunDiff& d, const RunResult& a, const RunResult& b) {
    data page{"title_a", d.title_a};
    page.set("title_b", d.title_b);
    page.set("same", d.differs.empty());
    list differs, figures, claims;
    for (const std::string& line : d.differs) differs.push_back(line);
    for (const FigureChange& c : d.figures) {
        data row{"configuration", c.configuration};
        row.set("figure", c.figure), row.set("a", c.a_text), row.set("b", c.b_text),
            row.set("significance", c.significance()), row.set("ratio", c.ratio_text());
        figures.push_back(row);
    }
    for (const ClaimChange& c : d.claims) {
        data row{"claim", c.claim};
        row.set("in_a", c.in_a), row.set("in_b", c.in_b);
        claims.push_back(row);
    }
    page.set("differs", differs), page.set("figures", figures), page.set("claims", claims);
    page.set("has_claims", !d.claims.empty());
    const std::int64_t axis = std::max(shared_axis_us(a), shared_axis_us(b));
    page.set("axis", seconds_text(axis));
    page.set("timelines", paired_timelines(d, a, b, axis));
    return rendered_page(diff_html_mustache, "lab/report/diff.html.mustache", page);
}

}  // namespace lab
