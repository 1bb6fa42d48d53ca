#include "lab/report/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "lab/report/claims.hpp"
#include "lab/layout.hpp"
#include "lab/report/load_summary.hpp"
#include "lab/report/report.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/report/timeline.hpp"

namespace lab {

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

namespace {

// Made for a projector: large type, high contrast, nothing fetched from anywhere.
constexpr const char* style =
    "body{font:20px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#111;background:#fff}\n"
    "h1{font-size:1.7em}h2{font-size:1.3em;margin-top:1.6em}h3{font-size:1.05em;margin:1.2em 0 .2em}.teaching li{margin:.3em 0}\n"
    "table{border-collapse:collapse;font-size:.8em}td,th{border:1px solid #999;padding:.3em .5em;text-align:left}\n"
    "th{background:#eee}svg{width:100%;height:auto}.tick,.value{font-size:12px}.group{font-size:14px;font-weight:600}\n"
    ".label{font-size:12px;text-anchor:end}.grid{stroke:#ddd}.failed{fill:#c0392b;font-size:12px}.stall{opacity:.5}\n"
    "ul.claims{list-style:none;padding-left:0}.claim .mark{font-weight:700}.claim.holds .mark{color:#1e8449}"
    ".claim.contradicted .mark{color:#c0392b}.claim.unmeasured .mark{color:#7f8c8d}\n"
    ".legend{font-size:.8em}.legend .entry{margin-right:1.2em;white-space:nowrap}\n"
    ".legend .swatch{display:inline-block;width:1em;height:.8em;margin-right:.35em;vertical-align:-.05em}\n"
    ".lead{font-size:1.1em}details summary{font-size:.8em;cursor:pointer;color:#444}\n";

// The text's first sentence: up to the first full stop that ends a sentence (". " or the end).
std::string first_sentence(const std::string& text) {
    const std::size_t start = text.find_first_not_of(" \n");
    if (start == std::string::npos) return "";
    std::size_t end = text.find(". ", start);
    std::size_t paragraph = text.find("\n\n", start);
    end = std::min(end == std::string::npos ? text.size() : end + 1, paragraph == std::string::npos ? text.size() : paragraph);
    std::string sentence = text.substr(start, end - start);
    std::replace(sentence.begin(), sentence.end(), '\n', ' ');
    return sentence;
}

// The lesson as paragraphs and lists: a blank line parts paragraphs, a line starting "- " is a
// list item, and any other line break is only where the scenario's author wrapped the file.
void teaching(std::ostream& out, const std::string& text) {
    out << "<div class=\"teaching\">\n";
    std::string open;  // the text of the paragraph or list item being read
    bool item = false, list = false;
    auto close = [&] {
        if (!open.empty()) out << (item ? "<li>" : "<p>") << escape(open) << (item ? "</li>\n" : "</p>\n");
        open.clear();
    };
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string::npos) {  // a blank line ends the paragraph and the list
            close();
            if (list) out << "</ul>\n";
            list = item = false;
        } else if (line.compare(start, 2, "- ") == 0) {
            close();
            if (!list) out << "<ul>\n";
            list = item = true;
            open = line.substr(start + 2);
        } else {
            if (open.empty() && list) {  // a paragraph right after a list
                out << "</ul>\n";
                list = item = false;
            }
            if (!open.empty()) open += ' ';
            open.append(line, start);
        }
    }
    close();
    if (list) out << "</ul>\n";
    out << "</div>\n";
}

// Run by the browser after layout; the browser test reads what it leaves on <body>: how many
// request bars got a size, each shared-axis timeline's drawn width as a fraction of its axis,
// how many colours lack a legend entry, and which key figure was drawn with a legend.
constexpr const char* self_check = R"(<script>
const plotFraction = (960 - 70 - 50) / 960;
document.body.dataset.renderedBars = Array.from(document.querySelectorAll('svg.timeline:not(.zoomed) rect.bar.served'))
  .filter(r => r.getBBox().width > 0).length;
for (const svg of document.querySelectorAll('svg.timeline')) {
  const boxes = Array.from(svg.querySelectorAll('rect.bar')).map(r => r.getBoundingClientRect()).filter(b => b.width > 0);
  if (!boxes.length) continue;
  const extent = Math.max(...boxes.map(b => b.right)) - Math.min(...boxes.map(b => b.left));
  svg.dataset.renderedFraction = (extent / (svg.getBoundingClientRect().width * plotFraction)).toFixed(4);
}
let unlegended = 0;
for (const chart of document.querySelectorAll('section.chart')) {
  const legend = new Set(Array.from(chart.querySelectorAll('.legend .swatch')).map(s => s.dataset.colour));
  for (const mark of chart.querySelectorAll('svg rect[fill], svg circle[fill]'))
    if (!legend.has(mark.getAttribute('fill'))) { unlegended++; mark.dataset.unlegended = 'yes'; }
}
document.body.dataset.unlegendedColours = unlegended;
const first = document.querySelector('section.key-figure, section.sweep-chart');
if (first) document.body.dataset.keyFigureTop = Math.round(first.getBoundingClientRect().top + window.scrollY);
document.body.dataset.pageHeight = document.documentElement.scrollHeight;
const key = document.querySelector('section.key-figure');
if (key && key.querySelector('.legend .swatch') && key.querySelector('svg rect[fill], svg circle[fill]'))
  document.body.dataset.keyFigure = key.dataset.figure;
</script>
)";

void table(std::ostream& out, const RunResult& run) {
    auto rows = table_rows(run);
    out << "<table>\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out << "<tr>";
        for (const auto& cell : rows[i]) out << (i ? "<td>" : "<th>") << escape(cell) << (i ? "</td>" : "</th>");
        out << "</tr>\n";
    }
    out << "</table>\n";
    if (std::string note = below_floor_note(run); !note.empty()) out << "<p>" << escape(note) << "</p>\n";
}

// Each claim of the text, with ✓ where this run bears it out and ✗ where it contradicts it.
void claims(std::ostream& out, const RunResult& run) {
    auto checked = check_claims(run);
    if (checked.empty()) return;
    out << "<h2>What the lesson claims, checked against this run</h2>\n<ul class=\"claims\">\n";
    for (const CheckedClaim& c : checked) {
        using O = CheckedClaim::Outcome;
        out << "<li class=\"claim " << outcome_class(c.outcome) << "\"><span class=\"mark\">" << outcome_mark(c.outcome) << "</span> " << escape(c.claim)
            << "<br><small>" << escape(c.evidence) << (c.outcome == O::contradicted ? ": this run contradicts the sentence above" : "")
            << "</small>";
        if (c.real) {  // --with-fastapi: the same claim on the real stack
            const std::string differs = stack_disagreement(c);
            out << "<br><small class=\"real " << outcome_class(c.real->outcome) << "\">" << outcome_mark(c.real->outcome) << " on real FastAPI: "
                << escape(c.real->evidence + (differs.empty() ? "" : ": " + differs)) << "</small>";
        }
        out << "</li>\n";
    }
    out << "</ul>\n";
}

// Every configuration on one time axis, so widths compare; a configuration that fills less
// than half of it follows with a zoomed view on its own span, labelled as such. A page stays as
// long as it must: at most `shown_rows` rows a timeline, the fuller drawing folded; a sweep's
// timelines (one per point: its curves are the lesson) folded whole.
constexpr std::size_t shown_rows = 40, all_rows = 200;
void timelines(std::ostream& out, const RunResult& run) {
    const std::int64_t axis = shared_axis_us(run);
    const bool folded = run.scenario.sweep.has_value();
    const char* drawn = folded ? "folded-timeline" : "timeline";  // (the page's checks measure what is shown)
    out << "<h2>Timelines, all on one time axis (0 to " << seconds_text(axis) << ")</h2>\n<p>Each configuration's median batch: "
           "one row per request, in the order the server began them.</p>\n";
    if (folded) out << "<details><summary>the timeline of each of the " << run.configurations.size() << " points</summary>\n";
    for (const auto& r : run.configurations) {
        if (!r.error.empty() || r.batches.empty()) continue;
        TimelineRows t = timeline_rows(r.batches[r.median_batch], 0);
        std::string title = escape(r.configuration.label) + " <small>(" + escape(r.configuration.mode) + "), batch " +
                            std::to_string(r.batches[r.median_batch].number) + ", the median</small>";
        out << "<section class=\"chart timeline-chart\">\n<h3>" << title << "</h3>\n";
        timeline_svg(out, r, axis, false, shown_rows, drawn, run.scenario.load.probe_path);
        // A big batch is drawn by an even sample of its requests; all of them, folded, below it.
        if (t.total > shown_rows) {
            out << "<details><summary>" << std::min<std::size_t>(t.total, all_rows) << " of its " << t.total
                << " requests</summary>\n";
            timeline_svg(out, r, axis, false, all_rows, "folded-timeline", run.scenario.load.probe_path);
            out << "</details>\n";
        }
        out << "</section>\n";
        if (t.t1 - t.t0 > 0 && 2 * (t.t1 - t.t0) < axis) {
            out << "<section class=\"chart zoom\">\n<h3>Zoomed: " << title << ", on its own axis (0 to " << seconds_text(t.t1 - t.t0)
                << "), not comparable in width</h3>\n";
            timeline_svg(out, r, axis, true, shown_rows, drawn, run.scenario.load.probe_path);
            out << "</section>\n";
        }
    }
    if (folded) out << "</details>\n";
}

}  // namespace

std::string html_report(const RunResult& run) {
    const Scenario& s = run.scenario;
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << escape(s.title)
        << "</title>\n<style>\n" << style << "</style></head>\n<body>\n<h1>" << escape(s.title) << "</h1>\n";
    // The first screen: the title, the lesson's question in one sentence, and its number charted
    // (a sweep's curves, or the key figure); then what was sent (with its source), then the text.
    const std::string text = is_external_load(run) ? "" : with_figures(s.teaching, &run);
    if (!text.empty()) out << "<p class=\"lead\">" << escape(first_sentence(text)) << "</p>\n";
    if (s.sweep) {
        out << "<h2>Curves: each configuration against " << escape(swept_symbol(run)) << "</h2>\n";
        sweep_svg(out, run);
    } else {
        key_figure_svg(out, run);
    }
    out << "<p class=\"load\">" << escape(load_line(run)) << "</p>\n";  // (a lesson's ends with its source)
    if (!text.empty()) teaching(out, text);
    out << "<h2>The table</h2>\n";
    table(out, run);
    claims(out, run);
    if (s.load.rate == 0) {
        if (s.key_figure != KeyFigure::makespan && !is_external_load(run)) comparison_svg(out, run);  // (no model, no document)
        timelines(out, run);
    }
    out << self_check << "</body></html>\n";
    return out.str();
}

}  // namespace lab
