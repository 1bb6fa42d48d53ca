// A sweep's curves in report.html: throughput, makespan and p99 against the swept value, each
// configuration a solid line with a dot per measured point, its model the same colour dashed.
#include <cmath>
#include <ostream>

#include "lab/layout.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/sweep_curves.hpp"

namespace lab {
namespace {

const char* curve_palette[] = {"#1f5fa8", "#c0392b", "#1e8449", "#8e44ad",
                               "#d35400", "#117a65", "#7d6608", "#2e4053"};
const char* curve_colour(std::size_t k) { return curve_palette[k % std::size(curve_palette)]; }

constexpr int chart_width = 960, height = 300, left = 80, right = 30, top = 16, bottom = 44;

void chart_svg(std::ostream& out, const CurveChart& chart, const std::vector<int>& values,
               const std::string& symbol, bool log_x) {
    const double most = chart.most() * 1.08;
    auto x_at = [&](double x) {
        double low = values.front(), high = values.back(), f = 0;
        if (high > low)
            f = log_x ? (std::log(x) - std::log(low)) / (std::log(high) - std::log(low))
                      : (x - low) / (high - low);
        return left + f * (chart_width - left - right);
    };
    auto y_at = [&](double v) { return top + (1 - v / most) * (height - top - bottom); };
    out << "<svg class=\"sweep\" viewBox=\"0 0 " << chart_width << ' ' << height
        << "\" role=\"img\" aria-label=\"" << escape(chart.title) << "\" data-lines=\""
        << chart.curves.size() << "\">\n";
    // Axes: a gridline and label at 0, half and the top; a tick and label at every value that ran.
    for (double f : {0.0, 0.5, 1.0}) {
        double v = most / 1.08 * f, y = y_at(v);
        out << "<line x1=\"" << left << "\" x2=\"" << chart_width - right << "\" y1=\"" << y
            << "\" y2=\"" << y << "\" stroke=\"#ddd\"/><text class=\"tick\" x=\"" << left - 6
            << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << fixed(v, chart.digits)
            << "</text>\n";
    }
    for (int v : values)
        out << "<text class=\"tick\" x=\"" << x_at(v) << "\" y=\"" << height - bottom + 18
            << "\" text-anchor=\"middle\">" << v << "</text>\n";
    out << "<text class=\"tick\" x=\"" << (left + chart_width - right) / 2 << "\" y=\""
        << height - 6 << "\" text-anchor=\"middle\">" << escape(symbol)
        << (log_x ? " (a log scale)" : "") << "</text>\n"
        << "<text class=\"tick\" x=\"12\" y=\"" << top + 4 << "\">" << escape(chart.unit)
        << "</text>\n";
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
        if (std::string d = path(c, true); !d.empty())
            out << "<path class=\"model\" d=\"" << d << "\" fill=\"none\" stroke=\"" << colour
                << "\" stroke-width=\"2\" stroke-dasharray=\"6 4\" opacity=\"0.7\"><title>"
                << escape(c.label) << ": model</title></path>\n";
        if (std::string d = path(c, false); !d.empty())
            out << "<path class=\"measured\" d=\"" << d << "\" fill=\"none\" stroke=\"" << colour
                << "\" stroke-width=\"3\"><title>" << escape(c.label)
                << ": measured</title></path>\n";
        for (const CurvePoint& p : c.points)
            if (p.measured)
                out << "<circle cx=\"" << x_at(p.x) << "\" cy=\"" << y_at(*p.measured)
                    << "\" r=\"4\" fill=\"" << colour << "\"><title>" << escape(c.label) << ", "
                    << escape(symbol) << " = " << p.x << ": " << fixed(*p.measured, chart.digits)
                    << ' ' << escape(chart.unit) << "</title></circle>\n";
    }
    out << "</svg>\n";
}

}  // namespace

void sweep_svg(std::ostream& out, const RunResult& run) {
    if (!run.scenario.sweep || run.scenario.sweep->values.size() < 2) return;
    const std::vector<int>& values = run.scenario.sweep->values;
    const std::string symbol = swept_symbol(run);
    for (const CurveChart& chart : sweep_charts(run)) {
        if (chart.curves.empty() || chart.most() <= 0) continue;
        out << "<section class=\"chart sweep-chart\">\n<h3>" << escape(chart.title) << " against "
            << escape(symbol) << "</h3>\n";
        Legend entries;
        for (std::size_t k = 0; k < chart.curves.size(); ++k)
            entries.push_back({curve_colour(k), chart.curves[k].label});
        legend(out, entries);
        bool modelled = false;
        for (const Curve& c : chart.curves)
            for (const CurvePoint& p : c.points) modelled = modelled || p.model.has_value();
        out << "<p class=\"legend-note\">Solid: measured (the median batch at each point)."
            << (modelled ? " Dashed, same colour: its model." : " The model gives no figure here.")
            << "</p>\n";
        chart_svg(out, chart, values, symbol, log_axis(values));
        out << "</section>\n";
    }
}

}  // namespace lab
