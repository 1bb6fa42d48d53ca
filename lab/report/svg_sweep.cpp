// A sweep's picture: a chart per figure, a line per configuration against the swept value.
#include "lab/report/svg_charts.hpp"

#include <ostream>
#include <string>
#include <vector>

#include "lab/layout.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/report/svg_writer.hpp"

namespace lab {

using namespace svg;  // the writer, and the colours and width the pictures share

namespace {

// A sweep's curves: throughput, makespan and p99 against the swept value, each configuration a
// solid line with a dot per measured point, its model the same colour dashed.
// The first line blue, the next seven the workers' colours, and round again.
const char* curve_colour(std::size_t k) {
    return k % 8 == 0 ? served_colour : worker_colour(k % 8 - 1);
}

// An axis's label at (x, y), anchored at its `anchor` ("middle", "end").
void tick(std::ostream& out, double x, double y, const char* anchor, const std::string& words) {
    text(out, words, "class", "tick", "x", x, "y", y, "text-anchor", anchor);
}

void chart_svg(std::ostream& out, const CurveChart& chart, const std::vector<int>& values,
               const std::string& symbol, bool log_x) {
    const int height = 300, left = 80, right = 30, top = 16, bottom = 44;
    const double most = chart.most() * 1.08;
    auto x_at = [&](double x) { return left + sweep_position(x, values) * (width - left - right); };
    auto y_at = [&](double v) { return top + (1 - v / most) * (height - top - bottom); };
    picture(out, "sweep", width, height, chart.title, "data-lines", chart.curves.size());
    // Axes: a gridline and label at 0, half and the top; a tick and label at every value that ran.
    for (double f : {0.0, 0.5, 1.0}) {
        double v = most / 1.08 * f, y = y_at(v);
        mark(out, "line", "", "x1", left, "x2", width - right, "y1", y, "y2", y, "stroke", "#ddd");
        tick(out, left - 6, y + 4, "end", fixed(v, chart.digits));
    }
    for (int v : values) tick(out, x_at(v), height - bottom + 18, "middle", std::to_string(v));
    tick(out, (left + width - right) / 2, height - 6, "middle",
         symbol + (log_x ? " (a log scale)" : ""));
    text(out, chart.unit, "class", "tick", "x", 12, "y", top + 4);
    auto path = [&](const Curve& c, bool model) {
        std::string d;
        for (const CurvePoint& p : c.points)
            if (auto v = model ? p.model : p.measured)
                d += (d.empty() ? "M" : " L") + fixed(x_at(p.x), 1) + " " + fixed(y_at(*v), 1);
        return d;
    };
    for (std::size_t k = 0; k < chart.curves.size(); ++k) {
        const Curve& c = chart.curves[k];
        const char* colour = curve_colour(k);
        for (bool model : {true, false})
            if (std::string d = path(c, model); !d.empty())
                mark(out, "path", c.label + (model ? ": model" : ": measured"), "class",
                     model ? "model" : "measured", "d", d, "fill", "none", "stroke", colour,
                     model
                         ? attributes("stroke-width", 2, "stroke-dasharray", "6 4", "opacity", 0.7)
                         : attributes("stroke-width", 3));
        for (const CurvePoint& p : c.points)
            if (p.measured) {
                mark(out, "circle",
                     c.label + ", " + symbol + " = " + fixed(p.x, 0) + ": " +
                         fixed(*p.measured, chart.digits) + ' ' + chart.unit,
                     "cx", x_at(p.x), "cy", y_at(*p.measured), "r", 4, "fill", colour);
                if (c.ringed && *c.ringed == p.x)
                    mark(out, "circle", c.label + ": the knee, " + fixed(p.x, 0), "class", "knee",
                         "cx", x_at(p.x), "cy", y_at(*p.measured), "r", 9, "fill", "none", "stroke",
                         colour, "stroke-width", 2);
            }
    }
    out << "</svg>\n";
}

}  // namespace

void curves_section(std::ostream& out, const CurveChart& chart, const std::vector<int>& ticks,
                    const std::string& symbol, const std::string& note) {
    if (chart.curves.empty() || chart.most() <= 0 || ticks.size() < 2) return;
    out << "<section class=\"chart sweep-chart\">\n<h3>" << escape(chart.title) << " against "
        << escape(symbol) << "</h3>\n";
    Legend entries;
    for (std::size_t k = 0; k < chart.curves.size(); ++k)
        entries.push_back({curve_colour(k), chart.curves[k].label});
    legend(out, entries);
    out << "<p class=\"legend-note\">" << escape(note) << "</p>\n";
    chart_svg(out, chart, ticks, symbol, log_axis(ticks));
    out << "</section>\n";
}

void sweep_svg(std::ostream& out, const RunResult& run) {
    if (!run.scenario.sweep || run.scenario.sweep->values.size() < 2) return;
    const std::vector<int>& values = run.scenario.sweep->values;
    const std::string symbol = swept_symbol(run);
    for (const CurveChart& chart : sweep_charts(run)) {
        bool modelled = false;
        for (const Curve& c : chart.curves)
            for (const CurvePoint& p : c.points) modelled = modelled || p.model.has_value();
        curves_section(out, chart, values, symbol,
                       std::string("Solid: measured (the median batch at each point).") +
                           (modelled ? " Dashed, same colour: its model."
                                     : " The model gives no figure here."));
    }
}

}  // namespace lab
