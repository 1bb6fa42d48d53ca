// report.html's timelines: one configuration's median batch on a time axis, a row a request,
// waiting and service in two colours, the bystander's requests and the loop's holds beside them.
#include <algorithm>
#include <ostream>
#include <sstream>
#include <tuple>
#include <vector>

#include "lab/report/key_figure.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/svg_writer.hpp"
#include "lab/report/timeline.hpp"

namespace lab {

using namespace svg;  // the writer, and the colours and width the pictures share

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
          routes_(routes) {}

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
        auto any = [&](std::int64_t RequestRecord::*wait) {  // a probed app's, a colour each
            return std::ranges::any_of(
                t_.rows, [&](const TimelineRow& row) { return row.record->*wait > 0; });
        };
        if (any(&RequestRecord::token_wait_us))
            entries.push_back({token_wait_colour, waiting_for_thread});
        if (any(&RequestRecord::connection_wait_us))
            entries.push_back({connection_wait_colour, waiting_for_connection});
        if (t_.bystanders)
            entries.push_back({bystander_colour, "the bystander's GET " + probe_path +
                                                     ", being served (rows \"probe\")"});
        std::vector<bool> seen(r_.workers.size() + 1, false);
        for (const auto& row : t_.rows)
            if (by_worker_ && row.record->ok() && !row.bystander)
                seen[std::min(rank_of(row.record->worker_pid), r_.workers.size())] = true;
        const std::string process = serving_process_name(r_.configuration);
        for (std::size_t k = 0; k < seen.size(); ++k) {
            if (!seen[k]) continue;
            if (k == r_.workers.size())
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

    // A mix's routes, a colour each (being served, until answered); and a named hold's outline.
    void route_legend(Legend& entries) const {
        for (std::size_t k = 0; k < routes_.size(); ++k) {
            bool named = std::ranges::any_of(r_.holds, [&](const LoopHold& h) {
                return h.endpoint == static_cast<int>(k) && h.named;
            });
            entries.push_back({route_colour(static_cast<int>(k)),
                               routes_[k] + (named ? ": holds the loop" : "")});
        }
        if (std::ranges::any_of(r_.holds, &LoopHold::named))
            entries.push_back({named_hold_outline,
                               "outlined on the row \"loop\": a hold of a route that holds the "
                               "loop, its step whole (a wait for the GIL in it too)"});
    }

    // A probed app's waits at the start of its service, over its bar: a thread token's, then a
    // connection's (drawn after its thread came: when in its service it waited is not said).
    void waits_of(std::ostream& out, const RequestRecord& q, int y) const {
        std::int64_t from = q.server_start_us;
        for (auto [wait, colour, what] :
             {std::tuple{q.token_wait_us, token_wait_colour, "for a thread"},
              std::tuple{q.connection_wait_us, connection_wait_colour, "for a DB connection"}}) {
            if (wait <= 0) continue;
            bar(out, "bar wait", from, from + wait, y, colour,
                "#" + std::to_string(q.index + 1) + " waited " + what + " " +
                    fixed(static_cast<double>(wait) / 1000.0, 1) + " ms");
            from += wait;
        }
    }

    // The loop's own row: each request's code running on it (a callback of 1 ms or more), in its
    // route's colour; a culprit's holds outlined. Empty time on it: the loop free to serve others.
    int loop_lane(std::ostream& out, int y) const {
        if (r_.holds.empty()) return y;
        label(out, y, "loop");
        // (grey, from report.css: the loop free)
        mark(out, "rect", "", "class", "lane", "x", left, "y", y, "width", plot(), "height", 12);
        for (const LoopHold& h : r_.holds) {
            const std::string& whose = h.endpoint < static_cast<int>(routes_.size())
                                           ? routes_[static_cast<std::size_t>(h.endpoint)]
                                           : r_.configuration.label;
            mark(out, "rect",
                 whose + ": held the loop " +
                     fixed(static_cast<double>(h.end_us - h.start_us) / 1000.0, 1) + " ms from " +
                     ms_from_start(h.start_us) + " ms",
                 "class", h.named ? "hold named" : "hold", "x", x(h.start_us), "y", y, "width",
                 std::max(1.0, x(h.end_us) - x(h.start_us)), "height", 12, "fill",
                 routes_.empty() ? served_colour : route_colour(h.endpoint),
                 h.named ? attributes("stroke", named_hold_outline, "stroke-width", 2) : "");
        }
        return y + row_height + 4;
    }

    // One request's row: waiting, then served (or run by a queue worker), or what the client saw.
    void row_of(std::ostream& out, const TimelineRow& row, int y) const {
        const RequestRecord* q = row.record;
        label(out, y, (row.bystander ? "probe " : "#") + std::to_string(q->index + 1));
        if (!q->ok()) {
            text(out, "failed: " + std::string(to_string(q->error)), "x", left, "y", y + 11,
                 "class", "failed");
            return;
        }
        const std::string sent =
            "#" + std::to_string(q->index + 1) + ": sent " + ms_from_start(q->send_us) + " ms, ";
        if (!q->has_server_stamps() && !queued_) {
            bar(out, "bar waiting", q->send_us, q->end_us, y, waiting_colour,
                sent + "answered " + ms_from_start(q->end_us) +
                    " ms (when it was served is unknown)");
            return;
        }
        std::int64_t start = q->has_server_stamps() ? q->server_start_us : q->send_us;
        const char* colour =
            row.bystander      ? bystander_colour
            : !routes_.empty() ? route_colour(q->endpoint)
            : by_worker_       ? worker_colour(std::min(rank_of(q->worker_pid), r_.workers.size()))
                               : served_colour;
        bar(out, "bar waiting", q->send_us, start, y, waiting_colour, "", 0.0);
        bar(out, "bar served", start, q->finished_us(), y, colour,
            sent +
                (queued_ ? "answered " + ms_from_start(q->end_us) + " ms, run from "
                         : "served from ") +
                ms_from_start(start) + " ms, done " + ms_from_start(q->finished_us()) + " ms" +
                (by_worker_ && q->worker_pid >= 0
                     ? ", " + std::string(serving_process_name(r_.configuration)) + " " +
                           std::to_string(rank_of(q->worker_pid) + 1)
                     : ""));
        if (q->has_server_stamps()) waits_of(out, *q, y);
        if (queued_)
            mark(out, "rect", "", "class", "answer", "x", x(q->end_us), "y", y - 1, "width", 2,
                 "height", 14, "fill", answered_colour);
    }

    static constexpr int left = 70, right = 50, row_height = 16;

private:
    double plot() const { return width - left - right; }
    // A row's label, left of the plot.
    static void label(std::ostream& out, int y, const std::string& words) {
        text(out, words, "x", left - 6, "y", y + 11, "class", "label");
    }
    // A bar of a row from `from` to `to` (at least `least` px wide), with its title if any.
    void bar(std::ostream& out, const char* css_class, std::int64_t from, std::int64_t to, int y,
             const char* colour, std::string_view title, double least = 1.0) const {
        mark(out, "rect", title, "class", css_class, "x", x(from), "y", y, "width",
             std::max(least, x(to) - x(from)), "height", 12, "fill", colour);
    }
    double x(std::int64_t us) const {
        return left + static_cast<double>(us - t_.t0) * plot() / static_cast<double>(axis_);
    }
    std::string ms_from_start(std::int64_t us) const {
        return fixed(static_cast<double>(us - t_.t0) / 1000.0, 1);
    }
    std::size_t rank_of(std::int64_t pid) const {
        return static_cast<std::size_t>(std::ranges::find(r_.workers, pid) - r_.workers.begin());
    }

    // Its batch, the processes that served it (busiest first), and the loop's holds
    const DrawnBatch& r_;
    const TimelineRows& t_;
    const std::int64_t axis_;
    const bool queued_;  // answered at once, run later by a queue worker
    const bool by_worker_;  // coloured by the process that served it
    const std::vector<std::string>& routes_;  // a mix's targets, named: bars coloured by route
};

}  // namespace

DrawnBatch median_batch_drawn(const ConfigurationResult& r) {
    return {.configuration = r.configuration,
            .batch = r.batches[r.median_batch],
            .workers = workers_busiest_first(r)};
}

std::string timeline_svg(const DrawnBatch& drawn, std::int64_t axis_us, bool zoomed,
                         std::size_t most_rows, const char* css_class,
                         const std::string& probe_path, const std::vector<std::string>& routes) {
    std::ostringstream out;
    TimelineRows t = timeline_rows(drawn.batch, most_rows,
                                   probe_path.empty() ? 0 : bystanders_drawn, drawn.holds);
    const std::int64_t span = t.t1 - t.t0, axis = zoomed ? span : std::max(axis_us, span);
    if (span <= 0) return "";
    TimelineDrawing drawing(drawn, t, axis, routes);
    drawing.legend_of(out, probe_path);
    int height = static_cast<int>(t.rows.size()) * TimelineDrawing::row_height + 30 +
                 (drawn.holds.empty() ? 0 : TimelineDrawing::row_height + 4);
    picture(out, std::string(css_class) + (zoomed ? " zoomed" : ""), width, height,
            "timeline of " + drawn.configuration.label + (zoomed ? ", zoomed" : ""), "data-span-us",
            span, "data-axis-us", axis);
    time_axis(out, TimelineDrawing::left, width - TimelineDrawing::left - TimelineDrawing::right, 0,
              height - 20, height - 4, static_cast<double>(axis) / 1e6);
    int y = drawing.loop_lane(out, 4);
    for (const auto& row : t.rows) {
        drawing.row_of(out, row, y);
        y += TimelineDrawing::row_height;
    }
    out << "</svg>\n";
    return out.str();
}

}  // namespace lab
