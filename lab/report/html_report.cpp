#include "lab/report/html_report.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <kainjow/mustache.hpp>

#include "lab/report/claims.hpp"
#include "lab/figures/load_figures.hpp"
#include "lab/report/predictions.hpp"
#include "lab/report/rendered_page.hpp"
#include "lab/report/report.hpp"
#include "lab/report/svg_charts.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/report/timeline.hpp"
// The page and its style, as files of their own (cmake/Embed.cmake):
#include "lab/report/report.css.hpp"
#include "lab/report/report.html.mustache.hpp"
#include "lab/report/timelines.html.mustache.hpp"

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

using kainjow::mustache::data, kainjow::mustache::list;

// The text's first sentence: up to the first full stop that ends a sentence (". " or the end).
std::string first_sentence(const std::string& text) {
    const std::size_t start = text.find_first_not_of(" \n");
    if (start == std::string::npos) return "";
    std::size_t end = text.find(". ", start);
    std::size_t paragraph = text.find("\n\n", start);
    end = std::min(end == std::string::npos ? text.size() : end + 1,
                   paragraph == std::string::npos ? text.size() : paragraph);
    std::string sentence = text.substr(start, end - start);
    std::replace(sentence.begin(), sentence.end(), '\n', ' ');
    return sentence;
}

// The lesson as paragraphs and lists: a blank line parts paragraphs, a line starting "- " is a
// list item, and any other line break is only where the scenario's author wrapped the file.
data teaching_blocks(const std::string& text) {
    list blocks;
    list items;  // of the list being read
    std::string open;  // the text of the paragraph or list item being read
    bool item = false;
    auto close = [&] {
        if (!open.empty()) {
            if (item) items.push_back(data{open});
            else blocks.push_back(data{"paragraph", open});
        }
        open.clear();
    };
    auto end_list = [&] {
        close();
        if (!items.empty()) blocks.push_back(data{"list", data{"items", items}});
        items.clear();
        item = false;
    };
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string::npos) {  // a blank line ends the paragraph and the list
            end_list();
        } else if (line.compare(start, 2, "- ") == 0) {
            close();
            item = true;
            open = line.substr(start + 2);
        } else {
            if (open.empty() && item) end_list();  // a paragraph right after a list
            if (!open.empty()) open += ' ';
            open.append(line, start);
        }
    }
    end_list();
    return data{"blocks", blocks};
}

// The table's header and rows, and its footnote (a document's figure below the physical floor).
void table(data& page, const RunResult& run) {
    auto rows = table_rows(run);
    list body;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        list cells;
        for (const auto& cell : rows[i]) cells.push_back(data{cell});
        if (i == 0) page.set("header", data{"cells", cells});
        else body.push_back(data{"cells", cells});
    }
    page.set("rows", body);
    if (std::string note = below_floor_note(run); !note.empty()) page.set("floor_note", note);
    if (std::vector<std::string> knees = knee_lines(run); !knees.empty()) {
        data said{"what", knees.front()};
        said.set("lines", list(knees.begin() + 1, knees.end()));
        page.set("knees", said);
    }
}

// Each claim of the text, with ✓ where this run bears it out and ✗ where it contradicts it, and,
// with --with-fastapi, the same claim on the real stack.
void claims(data& page, const RunResult& run) {
    auto checked = check_claims(run);
    if (checked.empty()) return;
    list shown;
    for (const CheckedClaim& c : checked) {
        using O = CheckedClaim::Outcome;
        data claim{"outcome", outcome_class(c.outcome)};
        claim.set("mark", outcome_mark(c.outcome));
        claim.set("claim", c.claim);
        claim.set("evidence", c.evidence + (c.outcome == O::contradicted
                                                ? ": this run contradicts the sentence above"
                                                : ""));
        if (c.real) {
            const std::string differs = stack_disagreement(c);
            data real{"outcome", outcome_class(c.real->outcome)};
            real.set("mark", outcome_mark(c.real->outcome));
            real.set("evidence", c.real->evidence + (differs.empty() ? "" : ": " + differs));
            claim.set("real", real);
        }
        shown.push_back(claim);
    }
    page.set("has_claims", true);
    page.set("claims", shown);
}

// The lesson's choices beside the run: each one's sentence checked, who picked it, and the
// misconception a wrong one picked comes from.
list choices(const RunResult& run) {
    list shown;
    for (const JudgedChoice& j : judged_choices(run)) {
        data choice{"outcome", outcome_class(j.outcome)};
        choice.set("mark", outcome_mark(j.outcome));
        choice.set("text", j.claim);
        choice.set("evidence", j.evidence);
        // (an empty text would still open its section)
        if (!j.who.empty()) choice.set("who", j.who);
        if (!j.misconception.empty()) choice.set("misconception", j.misconception);
        shown.push_back(choice);
    }
    return shown;
}

// Each guess beside what the run measured (`lab run --predict`), and the room's spread; then the
// choices, if anyone picked one.
void guesses(data& page, const RunResult& run) {
    if (!has_guesses(run) && !has_picks(run.scenario)) return;
    list rows;
    for (const JudgedGuess& j : judged_guesses(run)) {
        const bool judged = j.guess && j.measured;
        data row{"outcome", judged ? (j.close ? "close" : "off") : "unjudged"};
        row.set("mark", judged ? (j.close ? "✓" : "✗") : "");
        row.set("label", j.label);
        row.set("guess", j.guess ? guess_value_text(run, *j.guess) : "no guess");
        row.set("measured", j.measured ? guess_value_text(run, *j.measured) : "not measured");
        row.set("model", j.model ? guess_value_text(run, *j.model) : "—");
        row.set("how_far", j.how_far);
        row.set("idea", j.idea);
        if (j.room.count > 0)
            row.set("room",
                    room_text(run, j.room) +
                        (j.room.idea.empty() ? "" : ". → The room's median: " + j.room.idea));
        rows.push_back(row);
    }
    data section{"what", guessed_what(run.scenario)};
    if (has_guesses(run)) section.set("rows", data{"each", rows});
    if (has_picks(run.scenario)) section.set("choices", data{"each", choices(run)});
    page.set("guesses", section);
}

// Every configuration on one time axis, so widths compare; a configuration that fills less
// than half of it follows with a zoomed view on its own span, labelled as such. A page stays as
// long as it must: at most `shown_rows` rows a timeline, the fuller drawing folded; a sweep's
// timelines (one per point: its curves are the lesson) folded whole.
constexpr std::size_t shown_rows = 40, all_rows = 200;
data timelines(const RunResult& run) {
    const std::int64_t axis = shared_axis_us(run);
    const bool folded = run.scenario.sweep.has_value();
    // (the page's checks measure what is shown)
    const char* css_class = folded ? "folded-timeline" : "timeline";
    const std::string& probe = run.scenario.load.probe_path;
    data section{"axis", seconds_text(axis)};
    if (folded) section.set("folded", data{"points", std::to_string(run.configurations.size())});
    list configurations;
    for (const auto& r : run.configurations) {
        if (!r.error.empty() || r.batches.empty()) continue;
        TimelineRows t = timeline_rows(r.batches[r.median_batch], 0);
        const DrawnBatch drawn = median_batch_drawn(r);
        data c{"label", r.configuration.label};
        c.set("mode", mode_cell(r.configuration, run.scenario.load.path));
        c.set("batch", std::to_string(r.batches[r.median_batch].number));
        c.set("svg", timeline_svg(drawn, axis, false, shown_rows, css_class, probe));
        if (!probe.empty())
            if (std::string note = worst_probe_note(r, run.scenario.load); !note.empty())
                c.set("worst_note", note);
        if (t.total > shown_rows) {  // a big batch: an even sample drawn; all of it, folded, below
            data more{"drawn", std::to_string(std::min<std::size_t>(t.total, all_rows))};
            more.set("total", std::to_string(t.total));
            more.set("svg", timeline_svg(drawn, axis, false, all_rows, "folded-timeline", probe));
            c.set("more", more);
        }
        if (t.t1 - t.t0 > 0 && 2 * (t.t1 - t.t0) < axis) {
            data zoom{"span", seconds_text(t.t1 - t.t0)};
            zoom.set("svg", timeline_svg(drawn, axis, true, shown_rows, css_class, probe));
            c.set("zoom", zoom);
        }
        configurations.push_back(c);
    }
    section.set("configurations", configurations);
    return section;
}

// What the template's first screen shows: the lead sentence, the lesson's number charted, the load.
void first_screen(data& page, const RunResult& run, const std::string& text) {
    if (!text.empty()) page.set("lead", first_sentence(text));
    std::ostringstream chart;
    if (run.scenario.sweep) page.set("swept", swept_symbol(run));
    if (run.scenario.sweep) sweep_svg(chart, run);
    else key_figure_svg(chart, run);
    page.set("key_chart", chart.str());
    page.set("load", load_line(run));  // (a lesson's ends with its source)
}

}  // namespace

std::string html_report(const RunResult& run) {
    const Scenario& s = run.scenario;
    data page{"title", s.title};
    const std::string text = is_external_load(run) ? "" : with_figures(s.teaching, &run);
    first_screen(page, run, text);
    if (!text.empty()) page.set("teaching", teaching_blocks(text));
    table(page, run);
    claims(page, run);
    guesses(page, run);
    if (s.load.rate == 0) {
        std::ostringstream comparison;
        if (s.key_figure != KeyFigure::makespan && !is_external_load(run))
            comparison_svg(comparison, run);  // (no model, no document)
        page.set("comparison_chart", comparison.str());
        page.set("timelines", timelines(run));
        // How long a batch took: its staircase (or wall) is the lesson's picture, up front.
        page.set("timelines_first", s.key_figure == KeyFigure::makespan && !s.sweep);
    }
    page.set("timelines_markup",
             kainjow::mustache::partial([] { return std::string(timelines_html_mustache); }));
    return rendered_page(report_html_mustache, "lab/report/report.html.mustache", page);
}

std::string rendered_page(std::string_view tmpl, const char* file, kainjow::mustache::data& page) {
    kainjow::mustache::mustache parsed{std::string(tmpl)};
    if (!parsed.is_valid()) throw std::logic_error(file + (": " + parsed.error_message()));
    page.set("style", std::string(report_css));
    parsed.set_custom_escape([](const std::string& text) { return escape(text); });
    std::string html = parsed.render(page);
    if (!parsed.is_valid()) throw std::logic_error(file + (": " + parsed.error_message()));
    return html;
}

}  // namespace lab
