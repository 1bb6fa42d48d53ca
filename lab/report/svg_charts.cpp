#include "lab/report/svg_charts.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include "lab/report/key_figure.hpp"
#include "lab/layout.hpp"

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
        time_axis(out, left, plot, top, top + plot_height, height - 4, duration);
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
                  static_cast<double>(axis) / 1e6);
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

}  // namespace

void key_figure_svg(std::ostream& out, const RunResult& run) {
    KeyFigure figure = run.scenario.key_figure;
    out << "<section class=\"chart key-figure\" data-figure=\"" << name_of(figure) << "\">\n";
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
