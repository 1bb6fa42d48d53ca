#include "lab/report/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "lab/report/report.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

// The one place text becomes HTML: every string the page shows (titles, labels, paths, cells,
// tooltips, errors) goes through here, whoever wrote it: a scenario file, a URL, a server.
std::string escape(std::string_view text) {
    std::string out;
    for (char ch : text) {
        switch (ch) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += ch;
        }
    }
    return out;
}

std::string num(double value, int digits = 1) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

// Served bars take one colour per worker process (or, in a pool, per thread).
const char* palette[] = {"#1f5fa8", "#c0392b", "#1e8449", "#8e44ad", "#d35400", "#117a65", "#7d6608", "#2e4053"};
constexpr const char* waiting_colour = "#c9d3df";

constexpr int width = 960, left = 70, right = 50, row_height = 16;

void timeline_svg(std::ostream& out, const ConfigurationResult& r) {
    TimelineRows t = timeline_rows(r.batches[r.median_batch], 200);
    const std::int64_t t0 = t.t0, t1 = t.t1;
    if (t0 >= t1) return;
    std::vector<const RequestRecord*> rows;
    for (const auto& row : t.rows) rows.push_back(row.record);
    bool by_worker = served_by_workers(r.configuration);
    std::map<std::int64_t, std::size_t> colour_of;  // worker pid or thread id -> palette index
    auto x = [&](std::int64_t us) { return left + static_cast<double>(us - t0) * (width - left - right) / static_cast<double>(t1 - t0); };
    int height = static_cast<int>(rows.size()) * row_height + 40;
    out << "<svg class=\"timeline\" viewBox=\"0 0 " << width << ' ' << height << "\" role=\"img\" aria-label=\"timeline of "
        << escape(r.configuration.label) << "\">\n";
    for (int tick = 0; tick <= 4; ++tick) {  // the time axis, in seconds
        double tx = left + tick * (width - left - right) / 4.0;
        out << "<line x1=\"" << tx << "\" y1=\"0\" x2=\"" << tx << "\" y2=\"" << height - 20 << "\" class=\"grid\"/>"
            << "<text x=\"" << tx << "\" y=\"" << height - 4 << "\" class=\"tick\">"
            << num(static_cast<double>(t1 - t0) * tick / 4.0 / 1e6, 3) << " s</text>\n";
    }
    int y = 4;
    for (const auto* q : rows) {
        out << "<text x=\"" << left - 6 << "\" y=\"" << y + 11 << "\" class=\"label\">#" << q->index << "</text>";
        if (!q->ok()) {
            out << "<text x=\"" << left << "\" y=\"" << y + 11 << "\" class=\"failed\">failed: " << escape(to_string(q->error)) << "</text>\n";
            y += row_height;
            continue;
        }
        std::int64_t start = q->has_server_stamps() ? q->server_start_us : q->send_us;
        std::int64_t who = by_worker ? q->worker_pid : q->thread_id;
        std::size_t colour = colour_of.emplace(who, colour_of.size()).first->second % std::size(palette);
        out << "<rect class=\"bar waiting\" x=\"" << x(q->send_us) << "\" y=\"" << y << "\" width=\""
            << std::max(0.0, x(start) - x(q->send_us)) << "\" height=\"12\" fill=\"" << waiting_colour << "\"/>"
            << "<rect class=\"bar served\" x=\"" << x(start) << "\" y=\"" << y << "\" width=\""
            << std::max(1.0, x(q->end_us) - x(start)) << "\" height=\"12\" fill=\"" << palette[colour] << "\">"
            << "<title>#" << q->index << ": sent " << num(static_cast<double>(q->send_us - t0) / 1000.0) << " ms, served from "
            << num(static_cast<double>(start - t0) / 1000.0) << " ms, done " << num(static_cast<double>(q->end_us - t0) / 1000.0)
            << " ms" << (q->worker_pid >= 0 ? ", worker " + std::to_string(q->worker_pid) : "") << "</title></rect>\n";
        y += row_height;
    }
    out << "</svg>\n";
}

// Measured, model and document side by side, one group of bars per configuration.
void comparison_svg(std::ostream& out, const RunResult& run) {
    double most = 0;
    for (const auto& r : run.configurations)
        most = std::max({most, r.makespan.max, r.model_s, r.configuration.document_s.value_or(0)});
    if (most <= 0) return;
    const int group = 3 * 22 + 14, label_width = 330;
    int height = static_cast<int>(run.configurations.size()) * group + 30;
    out << "<svg class=\"comparison\" viewBox=\"0 0 " << width << ' ' << height << "\" role=\"img\" aria-label=\"measured vs model vs document\">\n";
    int y = 6;
    for (const auto& r : run.configurations) {
        out << "<text x=\"" << label_width - 10 << "\" y=\"" << y + 36 << "\" class=\"label\">" << escape(r.configuration.label) << "</text>\n";
        struct Bar { const char* what; double s; const char* cls; };
        std::vector<Bar> bars{{"measured", r.makespan.median, "measured"}, {"model", r.model_s, "model"}};
        if (r.configuration.document_s) bars.push_back({"document", *r.configuration.document_s, "document"});
        for (const Bar& b : bars) {
            double w = b.s / most * (width - label_width - 140);
            out << "<rect class=\"cmp " << b.cls << "\" x=\"" << label_width << "\" y=\"" << y << "\" width=\"" << w
                << "\" height=\"18\"/><text x=\"" << label_width + w + 6 << "\" y=\"" << y + 14 << "\" class=\"value\">"
                << b.what << ' ' << num(b.s, 3) << " s</text>\n";
            y += 22;
        }
        y += 14;
    }
    out << "</svg>\n";
}

}  // namespace

std::string html_report(const RunResult& run) {
    const Scenario& s = run.scenario;
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << escape(s.title)
        << "</title>\n<style>\n"
           "body{font:20px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#111;background:#fff}\n"
           "h1{font-size:1.7em}h2{font-size:1.3em;margin-top:1.6em}p.teaching{white-space:pre-wrap}\n"
           "table{border-collapse:collapse;font-size:.8em}td,th{border:1px solid #999;padding:.3em .5em;text-align:left}\n"
           "th{background:#eee}svg{width:100%;height:auto}.tick,.value{font-size:12px}\n"
           ".label{font-size:12px;text-anchor:end}.grid{stroke:#ddd}.failed{fill:#c0392b;font-size:12px}\n"
           ".cmp.measured{fill:#1f5fa8}.cmp.model{fill:#7f8c8d}.cmp.document{fill:#e0a800}\n"
           ".key span{display:inline-block;width:1em;height:.8em;margin:0 .3em 0 1em}\n"
           "</style></head>\n<body>\n<h1>" << escape(s.title) << "</h1>\n<p>Source: " << escape(s.source) << "</p>\n"
        << "<p class=\"teaching\">" << escape(s.teaching) << "</p>\n<p>" << escape(load_line(run)) << "</p>\n<table>\n";
    auto rows = table_rows(run);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out << "<tr>";
        for (const auto& cell : rows[i]) out << (i ? "<td>" : "<th>") << escape(cell) << (i ? "</td>" : "</th>");
        out << "</tr>\n";
    }
    out << "</table>\n";
    if (std::any_of(run.configurations.begin(), run.configurations.end(),
                    [&](const auto& r) { return document_below_floor(r.configuration, s.load, run.cores); }))
        out << "<p>† below the physical floor of " << num(physical_floor_s(s.load, run.cores), 3)
            << " s: every request waits d itself, so no server can answer them all sooner.</p>\n";
    if (s.load.rate == 0) {
    out << "<h2>Measured, model and document</h2>\n<p class=\"key\"><span style=\"background:#1f5fa8\"></span>measured (median)"
           "<span style=\"background:#7f8c8d\"></span>model<span style=\"background:#e0a800\"></span>document</p>\n";
    comparison_svg(out, run);
    }
    for (const auto& r : run.configurations) {
        if (!r.error.empty() || r.batches.empty() || s.load.rate > 0) continue;
        out << "<h2>" << escape(r.configuration.label) << " <small>(" << escape(r.configuration.mode) << "), batch "
            << r.batches[r.median_batch].number << ", the median</small></h2>\n<p class=\"key\"><span style=\"background:"
            << waiting_colour << "\"></span>sent, waiting for the server<span style=\"background:#1f5fa8\"></span>being served (one colour per "
            << (served_by_workers(r.configuration) ? "worker" : "thread") << ")</p>\n";
        timeline_svg(out, r);
    }
    // For the browser test: how many bars the browser actually laid out.
    out << "<script>document.body.dataset.renderedBars = Array.from(document.querySelectorAll('rect.bar.served'))"
           ".filter(r => r.getBBox().width > 0).length;</script>\n</body></html>\n";
    return out.str();
}

}  // namespace lab
