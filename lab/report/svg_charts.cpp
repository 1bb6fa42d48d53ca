#include "lab/report/svg_charts.hpp"

#include <algorithm>
#include <ostream>
#include <vector>

#include "lab/report/key_figure.hpp"
#include "lab/layout.hpp"
#include "lab/report/queue_depth.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

// Colours. "Being served" is blue; worker processes get colours of their own (never that blue),
// so a timeline coloured by worker cannot be misread as one coloured by state.
constexpr const char* waiting_colour = "#c9d3df";
constexpr const char* served_colour = "#1f5fa8";
constexpr const char* bystander_colour = "#d35400";  // the probe's requests beside the load's
constexpr const char* answered_colour = "#111111";  // a queued job's 202: a thin mark
const char* worker_palette[] = {"#c0392b", "#1e8449", "#8e44ad", "#d35400",
                                "#117a65", "#7d6608", "#2e4053", "#b7950b"};
const char* series_palette[] = {"#1f5fa8", "#c0392b", "#7f8c8d", "#e0a800"};
const char* makespan_palette[] = {"#1f5fa8", "#7f8c8d", "#e0a800"};  // measured, model, document
constexpr const char *guess_colour = "#f5cba7",
                     *guess_outline = "#a04000";  // the class's guess: pale, outlined
constexpr const char* queue_colour = "#8e44ad";
constexpr const char *from_due_colour = "#d35400", *from_send_colour = "#1f5fa8",
                     *stall_colour = "#f7dc6f";

// A doctor's mix, a colour a route (never the bystander's orange).
const char* route_palette[] = {"#1f5fa8", "#c0392b", "#1e8449", "#8e44ad", "#b7950b",
                               "#117a65", "#7f8c8d", "#2e4053", "#e84393"};
constexpr const char* named_hold_outline = "#000000";  // a hold of a route `lab doctor` names

const char* worker_colour(std::size_t rank) {
    return worker_palette[rank % std::size(worker_palette)];
}
const char* route_colour(int endpoint) {
    return route_palette[static_cast<std::size_t>(endpoint) % std::size(route_palette)];
}

}  // namespace

void legend(std::ostream& out, const Legend& entries) {
    out << "<div class=\"legend\">";
    for (const auto& [colour, what] : entries)
        out << "<span class=\"entry\"><span class=\"swatch\" data-colour=\"" << colour
            << "\" style=\"background:" << colour << "\"></span>" << escape(what) << "</span>";
    out << "</div>\n";
}

namespace {

constexpr int width = 960;

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
    out << "<svg class=\"bars\" viewBox=\"0 0 " << width << ' ' << height
        << "\" role=\"img\" aria-label=\"" << escape(f.title) << "\">\n";
    int y = 6;
    for (const auto& g : f.groups) {
        if (compact)  // beside its bars, level with their middle
            out << "<text x=\"" << left - 8 << "\" y=\""
                << y + (g.note.empty() ? std::max(1, bars_of(g)) * step : 16) / 2 + 4
                << "\" class=\"group beside\""
                << (label_width(g.label) > column
                        ? " textLength=\"" + std::to_string(column - 12) +
                              "\" lengthAdjust=\"spacingAndGlyphs\""
                        : std::string())  // (a longer one, narrowed to fit)
                << ">" << escape(g.label) << "</text>\n";
        else
            out << "<text x=\"" << left << "\" y=\"" << y + 13 << "\" class=\"group\">"
                << escape(g.label) << "</text>\n";
        y += label;
        if (!g.note.empty()) {
            out << "<text x=\"" << left + 10 << "\" y=\"" << y + 12 << "\" class=\"value\">"
                << escape(g.note) << "</text>\n";
            y += 26;
            continue;
        }
        for (std::size_t i = 0; i < g.values.size(); ++i) {
            if (!g.values[i]) continue;
            double w = most > 0 ? std::min(*g.values[i] / most, 1.0) * room
                                : 0;  // (a guess far past the rest: to the end)
            const bool guess = static_cast<int>(i) == f.guess_series;
            out << "<rect class=\"bar figure" << (guess ? " guess" : "") << "\" x=\"" << left
                << "\" y=\"" << y << "\" width=\"" << std::max(w, 1.0) << "\" height=\""
                << bar_height << "\" fill=\"" << colours[i] << "\""
                << (guess ? std::string(" stroke=\"") + guess_outline +
                                "\" stroke-dasharray=\"5 3\" stroke-width=\"2\""
                          : "")
                << "><title>" << escape(f.series[i]) << "</title></rect>"
                << "<text x=\"" << left + std::max(w, 1.0) + 6 << "\" y=\""
                << y + bar_height - (compact ? 1 : 4) << "\" class=\"value\">"
                << fixed(*g.values[i], f.digits) << (f.unit.empty() ? "" : " ") << escape(f.unit)
                << "</text>\n";
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
        out << "<svg class=\"trace\" viewBox=\"0 0 " << width << ' ' << height
            << "\" role=\"img\" aria-label=\"latency over time, " << escape(t.label)
            << "\">\n<text x=\"" << left << "\" y=\"16\" class=\"group\">" << escape(t.label)
            << "</text>\n";
        for (int tick = 0; tick <= 4; ++tick) {
            double tx = left + tick * plot / 4, ty = top + plot_height - tick * plot_height / 4.0;
            out << "<line x1=\"" << tx << "\" y1=\"" << top << "\" x2=\"" << tx << "\" y2=\""
                << top + plot_height << "\" class=\"grid\"/>"
                << "<text x=\"" << tx << "\" y=\"" << height - 4 << "\" class=\"tick\">"
                << fixed(duration * tick / 4, 2) << " s</text>"
                << "<line x1=\"" << left << "\" y1=\"" << ty << "\" x2=\"" << width - right
                << "\" y2=\"" << ty << "\" class=\"grid\"/>"
                << "<text x=\"" << left - 6 << "\" y=\"" << ty + 4 << "\" class=\"label\">"
                << fixed(most * tick / 4, 0) << " ms</text>\n";
        }
        if (!t.note.empty())
            out << "<text x=\"" << left + 10 << "\" y=\"" << top + 20 << "\" class=\"value\">"
                << escape(t.note) << "</text>\n";
        if (t.stall_sent_s) {
            double done = t.stall_done_s.value_or(duration);
            out << "<rect class=\"stall\" x=\"" << x(*t.stall_sent_s) << "\" y=\"" << top
                << "\" width=\"" << std::max(1.0, x(done) - x(*t.stall_sent_s)) << "\" height=\""
                << plot_height << "\" fill=\"" << stall_colour
                << "\"><title>the slow request, sent at " << fixed(*t.stall_sent_s, 3)
                << " s</title></rect>\n";
        }
        for (const auto& p : t.points)
            out << "<circle cx=\"" << x(p.due_s) << "\" cy=\"" << y(p.from_due_ms)
                << "\" r=\"2\" fill=\"" << from_due_colour << "\"/>";
        for (const auto& p : t.points)
            out << "<circle cx=\"" << x(p.due_s) << "\" cy=\"" << y(p.from_send_ms)
                << "\" r=\"1.5\" fill=\"" << from_send_colour << "\"/>";
        out << "\n</svg>\n";
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
        out << "<svg class=\"queue-depth\" viewBox=\"0 0 " << width << ' ' << height
            << "\" role=\"img\" aria-label=\"queue depth, " << escape(d.label) << "\">\n<text x=\""
            << left << "\" y=\"16\" class=\"group\">" << escape(d.label) << "</text>\n";
        for (int tick = 0; tick <= 4; ++tick) {
            double tx = left + tick * plot / 4;
            out << "<line x1=\"" << tx << "\" y1=\"" << top << "\" x2=\"" << tx << "\" y2=\""
                << top + plot_height << "\" class=\"grid\"/>"
                << "<text x=\"" << tx << "\" y=\"" << height - 4 << "\" class=\"tick\">"
                << fixed(static_cast<double>(axis) * tick / 4 / 1e6, 3) << " s</text>\n";
        }
        out << "<text x=\"" << left - 6 << "\" y=\"" << y(most) + 4 << "\" class=\"label\">" << most
            << "</text>"
            << "<text x=\"" << left - 6 << "\" y=\"" << y(0) + 4
            << "\" class=\"label\">0</text>\n<polyline fill=\"none\" stroke=\"" << queue_colour
            << "\" stroke-width=\"2\" points=\"";
        int depth = 0;
        for (auto [at, now] : d.steps) {  // a step: along at the old depth, then up or down
            out << x(at) << ',' << y(depth) << ' ' << x(at) << ',' << y(now) << ' ';
            depth = now;
        }
        out << x(axis) << ',' << y(depth) << "\"/>\n</svg>\n";
    }
}

}  // namespace

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

namespace {

// One configuration's timeline as it is drawn: which colour each bar takes, and where in x.
class TimelineDrawing {
public:
    TimelineDrawing(const ConfigurationResult& r, const TimelineRows& t, std::int64_t axis,
                    const std::vector<std::string>& routes)
        : r_(r),
          t_(t),
          axis_(axis),
          queued_(r.configuration.queued()),
          by_worker_(served_by_processes(r.configuration)),
          workers_(workers_busiest_first(r)),
          routes_(routes),
          holds_(r.median_batch < r.loop_holds.size() ? r.loop_holds[r.median_batch]
                                                      : std::vector<LoopHold>{}) {}

    // A colour for every kind of bar that is drawn, and for every worker that served a row.
    void legend_of(std::ostream& out, const std::string& probe_path) const {
        // A server that gave no stamps of its own (one the lab did not write or probe): its
        // requests are drawn as what the client saw, waiting for the answer, never as served.
        Legend entries{{waiting_colour, queued_ ? "waiting in the queue"
                                        : t_.stamped
                                            ? "sent, waiting for the server"
                                            : "sent, waiting for the answer (the server's own "
                                              "timings are unknown: client-side figures only)"}};
        if (queued_) entries.push_back({answered_colour, "answered 202: the job is queued"});
        if (!by_worker_ && t_.stamped && routes_.empty())
            entries.push_back({served_colour, "being served, until answered"});
        route_legend(entries);
        if (t_.bystanders)
            entries.push_back({bystander_colour, "the bystander's GET " + probe_path +
                                                     ", being served (rows \"probe\")"});
        std::vector<bool> seen(workers_.size() + 1, false);
        for (const auto& row : t_.rows)
            if (by_worker_ && row.record->ok() && !row.bystander)
                seen[std::min(rank_of(row.record->worker_pid), workers_.size())] = true;
        const std::string process = serving_process_name(r_.configuration);
        for (std::size_t k = 0; k < seen.size(); ++k) {
            if (!seen[k]) continue;
            if (k == workers_.size())
                entries.push_back({worker_colour(k), "served by an unknown worker"});
            else
                entries.push_back(
                    {worker_colour(k),
                     (queued_ ? "run by queue worker " : "served by " + process + " ") +
                         std::to_string(k + 1) +
                         (k == 0 ? (queued_ ? " (ran most)" : " (answered most)") : "")});
        }
        legend(out, entries);
    }

    // A mix's routes, a colour each (being served, until answered); and the outline of a named
    // hold.
    void route_legend(Legend& entries) const {
        for (std::size_t k = 0; k < routes_.size(); ++k) {
            bool named = std::any_of(holds_.begin(), holds_.end(), [&](const LoopHold& h) {
                return h.endpoint == static_cast<int>(k) && h.named;
            });
            entries.push_back({route_colour(static_cast<int>(k)),
                               routes_[k] + (named ? ": holds the loop" : "")});
        }
        if (std::any_of(holds_.begin(), holds_.end(), [](const LoopHold& h) { return h.named; }))
            entries.push_back({named_hold_outline,
                               "outlined on the row \"loop\": a hold of a route that holds the "
                               "loop, its own code running"});
    }

    // The loop's own row: each request's code running on it (a callback of 1 ms or more), in its
    // route's colour; a culprit's holds outlined. Empty time on it is the loop free to serve
    // others.
    int loop_lane(std::ostream& out, int y) const {
        if (holds_.empty()) return y;
        out << "<text x=\"" << left - 6 << "\" y=\"" << y + 11 << "\" class=\"label\">loop</text>"
            << "<rect class=\"lane\" x=\"" << left << "\" y=\"" << y << "\" width=\"" << plot()
            << "\" height=\"12\"/>\n";  // (grey, from report.css: the loop free)
        for (const LoopHold& h : holds_) {
            const char* colour = routes_.empty() ? served_colour : route_colour(h.endpoint);
            out << "<rect class=\"hold" << (h.named ? " named" : "") << "\" x=\"" << x(h.start_us)
                << "\" y=\"" << y << "\" width=\"" << std::max(1.0, x(h.end_us) - x(h.start_us))
                << "\" height=\"12\" fill=\"" << colour << "\""
                << (h.named
                        ? std::string(" stroke=\"") + named_hold_outline + "\" stroke-width=\"2\""
                        : "")
                << "><title>"
                << escape(h.endpoint < static_cast<int>(routes_.size())
                              ? routes_[static_cast<std::size_t>(h.endpoint)]
                              : r_.configuration.label)
                << ": held the loop "
                << fixed(static_cast<double>(h.end_us - h.start_us) / 1000.0, 1) << " ms from "
                << ms_from_start(h.start_us) << " ms</title></rect>\n";
        }
        return y + row_height + 4;
    }

    // The time axis, in seconds, as four steps of grid.
    void axis_of(std::ostream& out, int height) const {
        for (int tick = 0; tick <= 4; ++tick) {
            double tx = left + tick * plot() / 4.0;
            out << "<line x1=\"" << tx << "\" y1=\"0\" x2=\"" << tx << "\" y2=\"" << height - 20
                << "\" class=\"grid\"/>"
                << "<text x=\"" << tx << "\" y=\"" << height - 4 << "\" class=\"tick\">"
                << fixed(static_cast<double>(axis_) * tick / 4.0 / 1e6, 3) << " s</text>\n";
        }
    }

    // One request's row: waiting, then served (or run by a queue worker), or only what the client
    // saw.
    void row_of(std::ostream& out, const TimelineRow& row, int y) const {
        const RequestRecord* q = row.record;
        out << "<text x=\"" << left - 6 << "\" y=\"" << y + 11 << "\" class=\"label\">"
            << (row.bystander ? "probe " : "#") << q->index << "</text>";
        if (!q->ok()) {
            out << "<text x=\"" << left << "\" y=\"" << y + 11
                << "\" class=\"failed\">failed: " << escape(to_string(q->error)) << "</text>\n";
            return;
        }
        if (!q->has_server_stamps() && !queued_) {
            out << "<rect class=\"bar waiting\" x=\"" << x(q->send_us) << "\" y=\"" << y
                << "\" width=\"" << std::max(1.0, x(q->end_us) - x(q->send_us))
                << "\" height=\"12\" fill=\"" << waiting_colour << "\"><title>#" << q->index
                << ": sent " << ms_from_start(q->send_us) << " ms, answered "
                << ms_from_start(q->end_us)
                << " ms (when it was served is unknown)</title></rect>\n";
            return;
        }
        std::int64_t start = q->has_server_stamps() ? q->server_start_us : q->send_us;
        const char* colour = row.bystander      ? bystander_colour
                             : !routes_.empty() ? route_colour(q->endpoint)
                             : by_worker_
                                 ? worker_colour(std::min(rank_of(q->worker_pid), workers_.size()))
                                 : served_colour;
        out << "<rect class=\"bar waiting\" x=\"" << x(q->send_us) << "\" y=\"" << y
            << "\" width=\"" << std::max(0.0, x(start) - x(q->send_us))
            << "\" height=\"12\" fill=\"" << waiting_colour << "\"/>"
            << "<rect class=\"bar served\" x=\"" << x(start) << "\" y=\"" << y << "\" width=\""
            << std::max(1.0, x(q->finished_us()) - x(start)) << "\" height=\"12\" fill=\"" << colour
            << "\">"
            << "<title>#" << q->index << ": sent " << ms_from_start(q->send_us) << " ms, "
            << (queued_ ? "answered " + ms_from_start(q->end_us) + " ms, run from "
                        : "served from ")
            << ms_from_start(start) << " ms, done " << ms_from_start(q->finished_us()) << " ms"
            << (by_worker_ && q->worker_pid >= 0
                    ? ", " + std::string(serving_process_name(r_.configuration)) + " " +
                          std::to_string(rank_of(q->worker_pid) + 1)
                    : "")
            << "</title></rect>\n";
        if (queued_)
            out << "<rect class=\"answer\" x=\"" << x(q->end_us) << "\" y=\"" << y - 1
                << "\" width=\"2\" height=\"14\" fill=\"" << answered_colour << "\"/>\n";
    }

    static constexpr int left = 70, right = 50, row_height = 16;

private:
    double plot() const { return width - left - right; }
    double x(std::int64_t us) const {
        return left + static_cast<double>(us - t_.t0) * plot() / static_cast<double>(axis_);
    }
    std::string ms_from_start(std::int64_t us) const {
        return fixed(static_cast<double>(us - t_.t0) / 1000.0, 1);
    }
    std::size_t rank_of(std::int64_t pid) const {
        return static_cast<std::size_t>(std::find(workers_.begin(), workers_.end(), pid) -
                                        workers_.begin());
    }

    const ConfigurationResult& r_;
    const TimelineRows& t_;
    const std::int64_t axis_;
    const bool queued_;  // answered at once, run later by a queue worker
    const bool by_worker_;  // coloured by the process that served it
    const std::vector<std::int64_t> workers_;
    const std::vector<std::string>& routes_;  // a mix's targets, named: bars coloured by route
    const std::vector<LoopHold> holds_;  // the batch's, drawn on the row "loop"
};

}  // namespace

void timeline_svg(std::ostream& out, const ConfigurationResult& r, std::int64_t axis_us,
                  bool zoomed, std::size_t most_rows, const char* css_class,
                  const std::string& probe_path, const std::vector<std::string>& routes) {
    TimelineRows t = timeline_rows(r.batches[r.median_batch], most_rows,
                                   probe_path.empty() ? 0 : bystanders_drawn);
    const std::int64_t span = t.t1 - t.t0, axis = zoomed ? span : std::max(axis_us, span);
    if (span <= 0) return;
    TimelineDrawing drawing(r, t, axis, routes);
    drawing.legend_of(out, probe_path);
    const bool has_holds =
        r.median_batch < r.loop_holds.size() && !r.loop_holds[r.median_batch].empty();
    int height = static_cast<int>(t.rows.size()) * TimelineDrawing::row_height + 30 +
                 (has_holds ? TimelineDrawing::row_height + 4 : 0);
    out << "<svg class=\"" << css_class << (zoomed ? " zoomed" : "") << "\" data-span-us=\"" << span
        << "\" data-axis-us=\"" << axis << "\" viewBox=\"0 0 " << width << ' ' << height
        << "\" role=\"img\" aria-label=\"timeline of " << escape(r.configuration.label)
        << (zoomed ? ", zoomed" : "") << "\">\n";
    drawing.axis_of(out, height);
    int y = drawing.loop_lane(out, 4);
    for (const auto& row : t.rows) {
        drawing.row_of(out, row, y);
        y += TimelineDrawing::row_height;
    }
    out << "</svg>\n";
}

}  // namespace lab
