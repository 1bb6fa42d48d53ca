// report.html's timelines: one configuration's median batch on a time axis, a row a request, its
// waiting and its service in two colours, the bystander's requests and the loop's holds beside
// them.
#include <algorithm>
#include <ostream>
#include <vector>

#include "lab/report/key_figure.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/svg_palette.hpp"
#include "lab/report/timeline.hpp"

namespace lab {

using namespace svg;  // the colours and width the pictures share (svg_palette.hpp)

namespace {

// One configuration's timeline as it is drawn: which colour each bar takes, and where in x.
class TimelineDrawing {
public:
    TimelineDrawing(const DrawnBatch& drawn, const TimelineRows& t, std::int64_t axis,
                    const std::vector<std::string>& routes)
        : r_(drawn),
          t_(t),
          axis_(axis),
          queued_(drawn.configuration.queued()),
          by_worker_(served_by_processes(drawn.configuration)),
          workers_(drawn.workers),
          routes_(routes),
          holds_(drawn.holds) {}

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

    const DrawnBatch& r_;
    const TimelineRows& t_;
    const std::int64_t axis_;
    const bool queued_;  // answered at once, run later by a queue worker
    const bool by_worker_;  // coloured by the process that served it
    const std::vector<std::int64_t> workers_;
    const std::vector<std::string>& routes_;  // a mix's targets, named: bars coloured by route
    const std::vector<LoopHold>& holds_;  // the batch's, drawn on the row "loop"
};

}  // namespace

DrawnBatch median_batch_drawn(const ConfigurationResult& r) {
    return {.configuration = r.configuration,
            .batch = r.batches[r.median_batch],
            .workers = workers_busiest_first(r)};
}

void timeline_svg(std::ostream& out, const DrawnBatch& drawn, std::int64_t axis_us, bool zoomed,
                  std::size_t most_rows, const char* css_class, const std::string& probe_path,
                  const std::vector<std::string>& routes) {
    TimelineRows t = timeline_rows(drawn.batch, drawn.holds, most_rows,
                                   probe_path.empty() ? 0 : bystanders_drawn);
    const std::int64_t span = t.t1 - t.t0, axis = zoomed ? span : std::max(axis_us, span);
    if (span <= 0) return;
    TimelineDrawing drawing(drawn, t, axis, routes);
    drawing.legend_of(out, probe_path);
    int height = static_cast<int>(t.rows.size()) * TimelineDrawing::row_height + 30 +
                 (drawn.holds.empty() ? 0 : TimelineDrawing::row_height + 4);
    out << "<svg class=\"" << css_class << (zoomed ? " zoomed" : "") << "\" data-span-us=\"" << span
        << "\" data-axis-us=\"" << axis << "\" viewBox=\"0 0 " << width << ' ' << height
        << "\" role=\"img\" aria-label=\"timeline of " << escape(drawn.configuration.label)
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
