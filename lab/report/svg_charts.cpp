#include "lab/report/svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>
#include <tuple>
#include <vector>

#include "lab/figures/load_figures.hpp"
#include "lab/report/key_figure.hpp"
#include "lab/layout.hpp"
#include "lab/report/queue_depth.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/report/svg_writer.hpp"
#include "lab/report/timeline.hpp"

namespace lab {

using namespace svg;  // the writer, and the colours and width the pictures share

namespace {
// The width a configuration's label takes in the compact chart's column (13 px bold: DejaVu Sans,
// Chromium's sans-serif on Debian, is about 8.1 px a character there), at most 45 % of the chart.
int label_width(const std::string& label) {
    return static_cast<int>(static_cast<double>(label.size()) * 8.1) + 12;
}
int label_column_width(const FigureBars& f) {
    int widest = 0;
    for (const auto& g : f.groups) widest = std::max(widest, label_width(g.label));
    return std::clamp(widest, 120, width * 45 / 100);
}

// A group's label in the column beside its bars, ending at x; a longer one narrowed to fit.
void label_beside(std::ostream& out, const std::string& label, int x, int y, int column) {
    text(out, label, "x", x, "y", y, "class", "group beside",
         label_width(label) > column
             ? attributes("textLength", column - 12, "lengthAdjust", "spacingAndGlyphs")
             : "");
}

// Grouped horizontal bars, one bar per series: each configuration's label above its bars, or,
// `compact`, in a column beside them, with thinner bars: where the lesson's timelines share the
// first screen with them (a label above each group took a line of the screen for each).
void bars_svg(std::ostream& out, const FigureBars& f, const std::vector<std::string>& colours,
              bool compact = false) {
    const double most = f.most();
    const int column = compact ? label_column_width(f) : 0, left = 10 + column,
              room = width - left - (compact ? 70 : 140);
    const int bar_height = compact ? 10 : 18, step = compact ? 12 : 22, label = compact ? 0 : 20,
              gap = compact ? 4 : 10;
    auto bars_of = [](const FigureGroup& g) {
        return static_cast<int>(std::count_if(g.values.begin(), g.values.end(),
                                              [](const auto& v) { return v.has_value(); }));
    };
    int height = 10;
    for (const auto& g : f.groups)
        height += label + (g.note.empty() ? bars_of(g) * step + gap : 26);
    Legend entries;  // the series that have a bar somewhere
    for (std::size_t i = 0; i < f.series.size(); ++i)
        if (std::any_of(f.groups.begin(), f.groups.end(),
                        [&](const FigureGroup& g) { return g.values[i].has_value(); }))
            entries.push_back({colours[i], f.series[i]});
    legend(out, entries);
    picture(out, "bars", width, height, f.title);
    int y = 6;
    for (const auto& g : f.groups) {
        if (compact)  // beside its bars, level with their middle
            label_beside(out, g.label, left - 8,
                         y + (g.note.empty() ? std::max(1, bars_of(g)) * step : 16) / 2 + 4,
                         column);
        else text(out, g.label, "x", left, "y", y + 13, "class", "group");
        y += label;
        if (!g.note.empty()) {
            text(out, g.note, "x", left + 10, "y", y + 12, "class", "value");
            y += 26;
            continue;
        }
        for (std::size_t i = 0; i < g.values.size(); ++i) {
            if (!g.values[i]) continue;
            double w = most > 0 ? std::min(*g.values[i] / most, 1.0) * room
                                : 0;  // (a guess far past the rest: to the end)
            const bool guess = static_cast<int>(i) == f.guess_series;
            mark(out, "rect", f.series[i], "class", guess ? "bar figure guess" : "bar figure", "x",
                 left, "y", y, "width", std::max(w, 1.0), "height", bar_height, "fill", colours[i],
                 guess ? attributes("stroke", guess_outline, "stroke-dasharray", "5 3",
                                    "stroke-width", 2)
                       : "");
            text(out, fixed(*g.values[i], f.digits) + (f.unit.empty() ? "" : " ") + f.unit, "x",
                 left + std::max(w, 1.0) + 6, "y", y + bar_height - (compact ? 1 : 4), "class",
                 "value");
            y += step;
        }
        y += gap;
    }
    out << "</svg>\n";
}

std::vector<std::string> colours_for(const FigureBars& f, KeyFigure figure) {
    std::vector<std::string> colours;
    for (std::size_t i = 0; i < f.series.size(); ++i)
        colours.push_back(static_cast<int>(i) == f.guess_series ? guess_colour
                          : figure == KeyFigure::per_worker     ? worker_colour(i)
                          : figure == KeyFigure::makespan
                              ? makespan_palette[i % std::size(makespan_palette)]
                              : series_palette[i % std::size(series_palette)]);
    return colours;
}

// One scatter per configuration on shared axes: every request's latency from when it was due
// and from when it was sent, against when it was due; the slow request's flight shaded.
void traces_svg(std::ostream& out, const RunResult& run) {
    const auto traces = latency_over_time(run);
    const double duration = run.scenario.load.duration_ms / 1000.0;
    double most = 1;
    for (const auto& t : traces)
        for (const auto& p : t.points) most = std::max({most, p.from_due_ms, p.from_send_ms});
    Legend entries{{from_due_colour, "latency from when the request was due"},
                   {from_send_colour, "latency from when it was sent"}};
    if (run.scenario.load.stall_ms > 0)
        entries.push_back({stall_colour, "the slow request in flight"});
    legend(out, entries);
    const int left = 70, right = 20, top = 24, plot_height = 200, height = top + plot_height + 24;
    const double plot = width - left - right;
    auto x = [&](double s) { return left + std::clamp(s / duration, 0.0, 1.0) * plot; };
    auto y = [&](double ms) {
        return top + plot_height - std::clamp(ms / most, 0.0, 1.0) * plot_height;
    };
    for (const auto& t : traces) {
        picture(out, "trace", width, height, "latency over time, " + t.label);
        text(out, t.label, "x", left, "y", 16, "class", "group");
        time_axis(out, left, plot, top, top + plot_height, height - 4, duration, 2);
        for (int tick = 0; tick <= 4; ++tick) {
            double ty = top + plot_height - tick * plot_height / 4.0;
            mark(out, "line", "", "x1", left, "y1", ty, "x2", width - right, "y2", ty, "class",
                 "grid");
            text(out, fixed(most * tick / 4, 0) + " ms", "x", left - 6, "y", ty + 4, "class",
                 "label");
        }
        if (!t.note.empty()) text(out, t.note, "x", left + 10, "y", top + 20, "class", "value");
        if (t.stall_sent_s) {
            double done = t.stall_done_s.value_or(duration);
            mark(out, "rect", "the slow request, sent at " + fixed(*t.stall_sent_s, 3) + " s",
                 "class", "stall", "x", x(*t.stall_sent_s), "y", top, "width",
                 std::max(1.0, x(done) - x(*t.stall_sent_s)), "height", plot_height, "fill",
                 stall_colour);
        }
        for (const auto& p : t.points)
            mark(out, "circle", "", "cx", x(p.due_s), "cy", y(p.from_due_ms), "r", 2, "fill",
                 from_due_colour);
        for (const auto& p : t.points)
            mark(out, "circle", "", "cx", x(p.due_s), "cy", y(p.from_send_ms), "r", 1.5, "fill",
                 from_send_colour);
        out << "</svg>\n";
    }
}

// Each queue's depth as a step line, on the timelines' shared axis and one depth scale.
void queue_depth_svg(std::ostream& out, const RunResult& run) {
    const auto depths = queue_depths(run);
    const std::int64_t axis = shared_axis_us(run);
    if (depths.empty() || axis <= 0) return;
    int most = 1;
    for (const auto& d : depths) most = std::max(most, d.most);
    out << "<h3>Jobs waiting in the queue (median batch)</h3>\n";
    legend(out, {{queue_colour, "jobs queued and not yet taken by a worker"}});
    const int left = 70, right = 50, top = 24, plot_height = 90, height = top + plot_height + 24;
    const double plot = width - left - right;
    auto x = [&](std::int64_t us) {
        return left +
               std::clamp(static_cast<double>(us) / static_cast<double>(axis), 0.0, 1.0) * plot;
    };
    auto y = [&](int depth) {
        return top + plot_height - static_cast<double>(depth) / most * plot_height;
    };
    for (const auto& d : depths) {
        picture(out, "queue-depth", width, height, "queue depth, " + d.label);
        text(out, d.label, "x", left, "y", 16, "class", "group");
        time_axis(out, left, plot, top, top + plot_height, height - 4,
                  static_cast<double>(axis) / 1e6, 3);
        text(out, std::to_string(most), "x", left - 6, "y", y(most) + 4, "class", "label");
        text(out, "0", "x", left - 6, "y", y(0) + 4, "class", "label");
        std::ostringstream points;
        int depth = 0;
        for (auto [at, now] : d.steps) {  // a step: along at the old depth, then up or down
            points << x(at) << ',' << y(depth) << ' ' << x(at) << ',' << y(now) << ' ';
            depth = now;
        }
        points << x(axis) << ',' << y(depth);
        mark(out, "polyline", "", "fill", "none", "stroke", queue_colour, "stroke-width", 2,
             "points", points.str());
        out << "</svg>\n";
    }
}

// The picture of a `lab load`: how long its answers took, as hey's ten slices from the fastest
// answer to the slowest, with the median and the 99th percentile marked. A load tester's user
// looks there first; the makespan of a lesson's batch means nothing for -z 2s.
constexpr const char* answers_colour = "#1f5fa8";
constexpr const char *p50_colour = "#1e8449", *p99_colour = "#c0392b";

std::string ms(std::int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 3) + " ms"; }

// The histogram's heading, and its legend; false (said) when no request was answered.
bool heading_and_legend(std::ostream& out, const Histogram& latency, bool answered) {
    out << "<h2>How long each of the " << latency.count()
        << " answered requests took, from when it was due to its answer</h2>\n"
        << "<p class=\"precision\">Percentiles and slices " << latency_precision(latency)
        << ".</p>\n";
    if (!answered) {
        out << "<p>No request was answered.</p>\n";
        return false;
    }
    legend(out,
           {{answers_colour, "answers in each slice of the range, fastest (" + ms(latency.min()) +
                                 ") to slowest (" + ms(latency.max()) + ")"},
            {p50_colour, "p50 " + ms(latency.percentile(50))},
            {p99_colour, "p99 " + ms(latency.percentile(99))}});
    return true;
}

// Where the histogram puts a latency (x) and a count of answers (y). A slice's width is its share
// of the range (all alike, but for answers within a few µs); when every answer took the same
// time, one bar fills the width and the marks stand at its middle. On a log scale when the slices
// are (a long tail): each slice as wide as the others.
struct HistogramFrame {
    static constexpr int left = 70, right = 30, top = 24, plot_height = 220,
                         height = top + plot_height + 44;
    static constexpr double plot = width - left - right;
    std::int64_t low, high, most;
    bool log_scale;
    double x(std::int64_t us) const {
        if (high <= low) return left + 0.5 * plot;
        double share =
            log_scale
                ? std::log(static_cast<double>(std::max(us, low)) / static_cast<double>(low)) /
                      std::log(static_cast<double>(high) / static_cast<double>(low))
                : static_cast<double>(us - low) / static_cast<double>(high - low);
        return left + share * plot;
    }
    double y(std::int64_t n) const {
        return top + plot_height - static_cast<double>(n) / static_cast<double>(most) * plot_height;
    }
};

// A slice's edge on the latency axis, in ms, below the bars at x.
void edge(std::ostream& out, double x, std::int64_t us) {
    text(out, fixed(static_cast<double>(us) / 1000.0, 3), "x", x, "y",
         HistogramFrame::top + HistogramFrame::plot_height + 16, "class", "tick", "text-anchor",
         "middle");
}

// A bar a slice, its count above it and its upper edge below.
void slice_bars(std::ostream& out, const std::vector<LatencySlice>& slices,
                const HistogramFrame& f) {
    using F = HistogramFrame;
    std::int64_t from = f.low;
    for (const LatencySlice& s : slices) {
        // Every answer within a µs or so: one bar, the whole width
        const bool alone = slices.size() == 1;
        const double x0 = alone ? F::left : f.x(from),
                     x1 = alone ? F::left + F::plot : f.x(s.upper_us);
        mark(out, "rect",
             std::to_string(s.answers) + " answered in " + ms(from) + " to " + ms(s.upper_us),
             "class", "bar histogram", "data-answers", s.answers, "x", x0 + 1, "y", f.y(s.answers),
             "width", std::max(1.0, x1 - x0 - 2), "height", f.y(0) - f.y(s.answers), "fill",
             answers_colour);
        text(out, std::to_string(s.answers), "x", (x0 + x1) / 2, "y", f.y(s.answers) - 4, "class",
             "value", "text-anchor", "middle");
        edge(out, x1, s.upper_us);
        from = s.upper_us;
    }
}

// A `lab load`'s answers as a latency histogram, p50 and p99 marked: its key figure's heading and
// picture.
void load_histogram_svg(std::ostream& out, const RunResult& run) {
    const LoadFigures& f = run.load_figures;
    const Histogram& latency = f.all.latency;
    const auto slices = latency_slices(f.all);
    if (!heading_and_legend(out, latency, !slices.empty())) return;
    HistogramFrame frame{latency.min(), latency.max(), 1, log_spaced(f.all)};
    for (const LatencySlice& s : slices) frame.most = std::max(frame.most, s.answers);
    using F = HistogramFrame;
    picture(out, "latency-histogram", width, F::height, "latency histogram", "data-answers",
            latency.count());
    text(out, std::to_string(frame.most), "x", F::left - 6, "y", frame.y(frame.most) + 4, "class",
         "label");
    text(out, "0", "x", F::left - 6, "y", frame.y(0) + 4, "class", "label");
    edge(out, F::left, frame.low);  // the fastest answer, where the first slice starts
    slice_bars(out, slices, frame);
    for (auto [us, colour, name] : {std::tuple{latency.percentile(50), p50_colour, "p50"},
                                    std::tuple{latency.percentile(99), p99_colour, "p99"}})
        mark(out, "line", std::string(name) + ' ' + ms(us), "x1", frame.x(us), "y1", F::top - 8,
             "x2", frame.x(us), "y2", F::top + F::plot_height, "stroke", colour, "stroke-width", 2,
             "stroke-dasharray", "6 4");
    text(out,
         std::string("latency, ms (the edges of the slices") +
             (frame.log_scale ? ", on a log scale" : "") + ")",
         "x", F::left, "y", F::height - 4, "class", "tick");
    out << "</svg>\n";
}

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
    auto x_at = [&](double x) {
        double low = values.front(), high = values.back(), f = 0;
        if (high > low)
            f = log_x ? (std::log(x) - std::log(low)) / (std::log(high) - std::log(low))
                      : (x - low) / (high - low);
        return left + f * (width - left - right);
    };
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
            if (std::string d = path(c, model); !d.empty()) {
                mark(out, "path", c.label + (model ? ": model" : ": measured"), "class",
                     model ? "model" : "measured", "d", d, "fill", "none", "stroke", colour,
                     model
                         ? attributes("stroke-width", 2, "stroke-dasharray", "6 4", "opacity", 0.7)
                         : attributes("stroke-width", 3));
            }
        for (const CurvePoint& p : c.points)
            if (p.measured) {
                mark(out, "circle",
                     c.label + ", " + symbol + " = " + fixed(p.x, 0) + ": " +
                         fixed(*p.measured, chart.digits) + ' ' + chart.unit,
                     "cx", x_at(p.x), "cy", y_at(*p.measured), "r", 4, "fill", colour);
            }
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

void key_figure_svg(std::ostream& out, const RunResult& run) {
    KeyFigure figure = run.scenario.key_figure;
    out << "<section class=\"chart key-figure\" data-figure=\"" << to_string(figure) << "\">\n";
    if (figure == KeyFigure::latency_over_time) {
        out << "<h2>Latency over the run</h2>\n";
        traces_svg(out, run);
    } else if (figure == KeyFigure::latency_histogram) {
        load_histogram_svg(out, run);
    } else {
        FigureBars f = key_figure_bars(run, figure);
        out << "<h2>" << escape(f.title) << "</h2>\n";
        bars_svg(out, f, colours_for(f, figure),
                 figure == KeyFigure::makespan && !run.scenario.sweep);  // (its timelines follow)
        if (figure == KeyFigure::answer_vs_done) queue_depth_svg(out, run);
    }
    out << "</section>\n";
}

void comparison_svg(std::ostream& out, const RunResult& run) {
    FigureBars f = key_figure_bars(run, KeyFigure::makespan);
    out << "<section class=\"chart comparison\">\n<h2>Measured, model and document</h2>\n";
    bars_svg(out, f, colours_for(f, KeyFigure::makespan));
    out << "</section>\n";
}

}  // namespace lab
