#include "lab/report/report.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "lab/report/claims.hpp"
#include "lab/report/key_figure.hpp"
#include "lab/report/load_summary.hpp"
#include "lab/report/predictions.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/report/timeline.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/schema.hpp"
#include "lab/run/lesson_ramp.hpp"

namespace lab {
namespace {

using Row = std::vector<std::string>;

// Cuts what follows the value: "0.200 s  ceil(N/T)·d" -> "0.200 s" (the formula is in `lab show`).
std::string value_only(const std::string& cell) { return cell.substr(0, cell.find("  ")); }

// "0.202 s (0.198–0.210), 1 failed" -> "0.202 s, 1 failed": the median without its range.
std::string median_only(const std::string& cell) {
    auto open = cell.find(" ("), close = cell.find(')');
    return open == std::string::npos || close == std::string::npos
               ? cell
               : cell.substr(0, open) + cell.substr(close + 1);
}

// "kept (at worst 0.3 ms late)" -> "kept".
std::string first_word(const std::string& cell) { return cell.substr(0, cell.find(' ')); }

// "8, 2, 0, 0": requests each worker answered in the median batch, busiest first.
std::string per_worker(const ConfigurationResult& r) {
    std::vector<int> counts;
    for (auto [pid, n] : r.batches[r.median_batch].stats.per_worker) counts.push_back(n);
    counts.resize(std::max<std::size_t>(
        counts.size(), static_cast<std::size_t>(serving_processes(r.configuration))));
    std::sort(counts.rbegin(), counts.rend());
    return fmt::format("{}", fmt::join(counts, ", "));
}

// What the server waits on, for the paths that wait on a real service.
std::string waiting_on(const std::string& path) {
    if (path == "/db") return " in PostgreSQL (SELECT pg_sleep(d))";
    if (path == "/fetch") return " for a downstream HTTP server's answer";
    if (path == "/cache") return " in Redis";
    return "";
}

// The closed loop's columns, and the order in which they give way on a narrow terminal (the
// results/README.md's "When the table does not fit"): the mode (the label says it in the documents'
// terms), the model's formula, the measured range, the document's figure, the loop-blocked column;
// then the labels and verdicts wrap. The lesson's own column (the bystander, the memory) stays.
std::vector<Column> closed_loop_columns(const RunResult& run) {
    const Load& load = run.scenario.load;
    Column label{.header = "configuration", .wraps = true}, mode{.header = "mode", .fold_order = 1};
    Column measured{.header = "measured (median, min–max)",
                    .narrow_header = "measured",
                    .shorten_order = 3,
                    .shorten = median_only,
                    .wraps = true};
    Column probe{.header = load.probe_path + " meanwhile (p50, max)",
                 .narrow_header = load.probe_path + " p50, max",
                 .wraps = true};
    Column model{.header = "model", .shorten_order = 2, .shorten = value_only, .wraps = true};
    Column document{.header = "document", .narrow_header = "doc", .fold_order = 4};
    Column blocked{
        .header = "loop blocked (longest)", .narrow_header = "loop blocked", .fold_order = 5};
    Column pss{.header = "server PSS", .narrow_header = "PSS"};  // the kernel's, shared pages split
    Column memory{.header = "server peak RSS", .narrow_header = "peak RSS"};
    Column verdict{.header = "verdict", .wraps = true, .is_verdict = true};
    for (const auto& r : run.configurations) {
        const Configuration& c = r.configuration;
        label.cells.push_back(c.label);
        mode.cells.push_back(mode_cell(c, load.path));
        int failed = 0;
        for (const BatchRecord& b : r.batches) failed += b.stats.failed;
        measured.cells.push_back((r.error.empty()
                                      ? fixed(r.makespan.median) + " s (" + fixed(r.makespan.min) +
                                            "–" + fixed(r.makespan.max) + ")"
                                      : "did not run") +
                                 (failed > 0 ? ", " + std::to_string(failed) + " failed" : ""));
        probe.cells.push_back(r.error.empty() && r.figure(Figure::probe_p50)  // over every batch
                                  ? figure_cell(Figure::probe_p50, r) + ", " +
                                        figure_cell(Figure::probe_max, r)
                                  : "—");
        model.cells.push_back(
            r.model.formula.empty() ? "—" : fixed(r.model_s) + " s  " + r.model.formula);
        const std::string doc = c.document_text.empty() && c.document_s
                                    ? fixed(*c.document_s, 2) + " s"
                                    : c.document_text;
        document.cells.push_back((doc.empty() ? "—" : doc) + (r.document_below_floor ? " †" : ""));
        blocked.cells.push_back(figure_cell(Figure::loop_blocked, r));
        pss.cells.push_back(figure_cell(Figure::pss, r));
        memory.cells.push_back(figure_cell(Figure::peak_rss, r));
        std::string v = r.error.empty() ? r.verdict.text() : r.error;
        if (r.error.empty() && served_by_processes(c))
            v += std::string(c.behind_nginx() ? "; per host: " : "; per worker: ") + per_worker(r);
        verdict.cells.push_back(v);
    }
    std::vector<Column> columns{label, mode, measured};
    if (!load.probe_path.empty()) columns.push_back(probe);
    if (has_guesses(run)) columns.push_back(guess_column(run));  // beside what it guessed
    for (Column* c : {&model, &document, &blocked}) columns.push_back(*c);
    if (load.report_memory) columns.insert(columns.end(), {pss, memory});
    columns.push_back(verdict);
    return columns;
}

std::string ms_triple(const Histogram& h) {
    auto ms = [](std::int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 1); };
    return ms(h.percentile(50)) + " / " + ms(h.percentile(99)) + " / " + ms(h.max()) + " ms";
}

// The open loop's columns; on a narrow terminal the mode goes first, then the model's formula,
// then the schedule's detail.
std::vector<Column> open_loop_columns(const RunResult& run) {
    Column label{.header = "configuration", .wraps = true}, mode{.header = "mode", .fold_order = 1};
    Column due{.header = "from due: p50 / p99 / max",
               .narrow_header = "from due p50/p99/max",
               .wraps = true};
    Column send{.header = "from send: p50 / p99 / max",
                .narrow_header = "from send p50/p99/max",
                .wraps = true};
    Column model{.header = "model p99 from due",
                 .narrow_header = "model p99",
                 .shorten_order = 2,
                 .shorten = value_only,
                 .wraps = true};
    Column late{.header = "late for a connection", .narrow_header = "late", .wraps = true};
    Column schedule{.header = "schedule", .shorten_order = 3, .shorten = first_word, .wraps = true};
    for (const auto& r : run.configurations) {
        label.cells.push_back(r.configuration.label);
        mode.cells.push_back(mode_cell(r.configuration, run.scenario.load.path));
        if (!r.error.empty()) {
            for (Column* c : {&due, &send, &model, &late})
                c->cells.push_back(c == &due ? "did not run" : "");
            schedule.cells.push_back(r.error);
            continue;
        }
        const OpenLoopLatencies& s = r.open_loop;
        due.cells.push_back(ms_triple(s.corrected));
        send.cells.push_back(ms_triple(s.uncorrected));
        model.cells.push_back(r.open_loop_model);
        late.cells.push_back(std::to_string(s.late_for_connection) + " of " +
                             std::to_string(s.corrected.count()));
        schedule.cells.push_back(
            (s.harness_slip_us > schedule_noise_us ? "SLIPPED: harness fell " : "kept (at worst ") +
            fixed(static_cast<double>(s.harness_slip_us) / 1000.0, 1) +
            (s.harness_slip_us > schedule_noise_us ? " ms behind" : " ms late)"));
    }
    // `lab load`: no mode, no model
    if (is_external_load(run)) return {label, due, send, late, schedule};
    if (has_guesses(run)) return {label, mode, due, guess_column(run), send, model, late, schedule};
    return {label, mode, due, send, model, late, schedule};
}

// The websockets lesson's table: each configuration's clients' worst tick lateness, the
// WebSockets held, what one cost the server in memory.
std::vector<Column> websocket_columns(const RunResult& run) {
    Column label{.header = "configuration", .wraps = true}, mode{.header = "mode", .fold_order = 1};
    Column late{.header = "each client's latest tick: median client / p99 / worst",
                .narrow_header = "latest tick p50/p99/max",
                .wraps = true};
    Column held{.header = "WebSockets held", .narrow_header = "held"};
    Column memory{
        .header = "memory per WebSocket (PSS)", .narrow_header = "per WebSocket", .fold_order = 2};
    for (const auto& r : run.configurations) {
        label.cells.push_back(r.configuration.label);
        mode.cells.push_back(mode_cell(r.configuration, run.scenario.load.path));
        if (!r.error.empty()) {
            late.cells.push_back("did not run: " + r.error);
            for (Column* c : {&held, &memory}) c->cells.push_back("—");
            continue;
        }
        late.cells.push_back(figure_cell(Figure::tick_late_p50, r) + " / " +
                             figure_cell(Figure::tick_late_p99, r) + " / " +
                             figure_cell(Figure::tick_late_max, r));
        held.cells.push_back(figure_cell(Figure::connections_held, r) + " of " +
                             std::to_string(r.load.requests));
        memory.cells.push_back(figure_cell(Figure::memory_per_connection, r));
    }
    if (has_guesses(run)) return {label, mode, late, guess_column(run), held, memory};
    return {label, mode, late, held, memory};
}

}  // namespace

std::string load_line(const RunResult& run) {
    const Load& load = run.scenario.load;
    if (load.rate > 0) {
        std::string line = fixed(load.rate, 0) + " requests per second for " +
                           fixed(load.duration_ms / 1000.0, 1) + " s (" +
                           fixed(load.rate * load.duration_ms / 1000.0, 0) +
                           " requests due) over " + std::to_string(load.concurrency) +
                           " connections, " + load.method + " " + load.path;
        if (!is_external_load(run)) line += "?ms=" + std::to_string(load.delay_ms);
        if (load.stall_ms > 0)
            line += "; one request of " + std::to_string(load.stall_ms) + " ms at " +
                    fixed(load.stall_at_ms / 1000.0, 1) + " s";
        return line +
               ". Latency from when each request was due (corrected for coordinated omission) and "
               "from when it was sent.";
    }
    if (is_external_load(run)) return load_description(load);  // `lab load`: no model, no source
    if (load.websocket())
        return count_of(load.requests, "client") +
               ", each holding a WebSocket (GET /ws) to the server, which sends every one a tick "
               "every 100 ms; " +
               fixed(load.duration_ms / 1000.0, 1) +
               " s of ticks timed, and one client's message, just before the tick due " +
               fixed(load.stall_at_ms / 1000.0, 1) +
               " s in, makes its handler wait d = " + fixed(load.delay_ms / 1000.0) + " s.";
    // A swept number of the load is named by its symbol, its values at the end.
    const std::string swept = run.scenario.sweep ? run.scenario.sweep->option : "";
    std::string line = (swept == "requests" ? "N requests" : count_of(load.requests, "request")) +
                       ", " + (swept == "concurrency" ? "C" : std::to_string(load.concurrency)) +
                       " at a time, ";
    const std::string d_text = swept == "delay" ? "d" : fixed(load.delay_ms / 1000.0) + " s";
    if (load.background())
        line += load.method + " " + load.path +
                ", each answered 202 and then running a task that " +
                (load.work_path() == "/cpu" ? "computes" : "waits") + " for " + d_text;
    else if (load.path == "/cpu")
        line += "each computing c = " + d_text + " of CPU on a machine with " +
                std::to_string(run.cores) + " cores";
    else if (load.delay_ms == 0)  // `lab doctor`: each row a route of the app, doing its own work
        line += "each to its row's route";
    else
        line +=
            "each waiting " + (swept == "delay" ? "d" : "d = " + d_text) + waiting_on(load.path);
    if (run.scenario.sweep)
        line +=
            fmt::format("; swept: {} = {}{}", swept_symbol(run),
                        fmt::join(run.scenario.sweep->values, ", "), swept == "delay" ? " ms" : "");
    line += load.repeat == 1 ? "; one batch"
                             : "; median of " + std::to_string(load.repeat) + " batches";
    return line + (load.warmup ? " after one warm-up" : ", no warm-up") + "." +
           (run.scenario.source.empty() ? "" : " Source: " + cited_by_title(run.scenario.source));
}

std::vector<Column> table_columns(const RunResult& run) {
    if (run.scenario.load.rate > 0) return open_loop_columns(run);
    if (run.scenario.load.websocket()) return websocket_columns(run);
    return is_external_load(run) ? load_columns(run.load_figures) : closed_loop_columns(run);
}

std::vector<Row> table_rows(const RunResult& run) { return rows_of(table_columns(run)); }

std::string below_floor_note(const RunResult& run) {
    return std::ranges::any_of(run.configurations, &ConfigurationResult::document_below_floor)
               ? "† below the physical floor of " + fixed(run.physical_floor_s) +
                     " s: " + run.physical_floor_reason + "."
               : "";
}

std::vector<std::string> knee_lines(const RunResult& run) {
    std::vector<std::string> lines;
    for (const auto& r : run.configurations)
        if (std::string said = knee_said(r.ramp, r.knee_cause); !said.empty())
            lines.push_back(r.configuration.label + ": " + said);
    if (!lines.empty())
        lines.insert(lines.begin(),
                     fmt::format("Each row ramped, up to {} in flight (the knee: the most in "
                                 "flight before latency rises and throughput stops growing):",
                                 run.scenario.load.ramp_max_in_flight));
    return lines;
}

void print_report(std::ostream& out, const RunResult& run, TextStyle style, const Layout& layout) {
    const Load& load = run.scenario.load;
    const bool markdown = style == TextStyle::markdown;
    if (is_external_load(run) && load.rate == 0 && !markdown) {  // a load tester's summary instead
        out << load_summary_text(run, layout);
        return;
    }
    const int width = layout.wide || markdown ? 100'000 : layout.columns;  // what prose wraps at
    out << wrap(run.scenario.title, width) << wrap(load_line(run), width) << '\n';
    // The lesson's number first (a sweep's curves are report.html's; its table follows).
    if (!markdown && !run.scenario.sweep) out << key_figure_text(run, layout.columns) << '\n';
    print_table(out, table_columns(run), layout, markdown);
    if (std::string note = below_floor_note(run); !note.empty()) out << '\n' << wrap(note, width);
    const std::vector<std::string> knees = knee_lines(run);
    for (std::size_t i = 0; i < knees.size(); ++i)
        out << (i == 0 ? "\n" : "") << wrap((i == 0 ? "" : "- ") + knees[i], width);
    if (std::string claims = claims_text(check_claims(run), width, layout.colour); !claims.empty())
        out << '\n' << claims;
    if (std::string guesses = guesses_text(run, width); !guesses.empty()) out << '\n' << guesses;
    if (is_external_load(run) && !markdown)
        out << open_loop_totals_text(run, std::min(width, 80));  // (`lab load --rate`)
    if (markdown || load.rate > 0 || load.websocket()) return;  // (WebSockets: ticks, no requests)
    if (run.scenario.sweep) {  // a timeline per point would fill the screen
        out << '\n'
            << wrap("The sweep's curves and each point's timeline are in report.html.", width);
        return;
    }
    const std::int64_t axis_us = shared_axis_us(run);
    out << '\n'
        << wrap("Timelines of each configuration's median batch, all on one time axis (0 to " +
                    fixed(static_cast<double>(axis_us) / 1e6) + " s), so their widths compare:",
                width);
    for (const auto& r : run.configurations)
        if (r.error.empty()) out << '\n' << timeline(r, load, layout, axis_us);
}

void print_run(std::ostream& out, const RunResult& run, Format format, const Layout& layout) {
    switch (format) {
        case Format::json: out << summary_json(run).dump(2) << '\n'; return;
        case Format::csv:
            for (const auto& row : table_rows(run)) {
                for (std::size_t i = 0; i < row.size(); ++i)
                    out << (i ? "," : "") << csv_field(printable(row[i], true));
                out << '\n';
            }
            return;
        case Format::markdown: return print_report(out, run, TextStyle::markdown, layout);
        case Format::table: return print_report(out, run, TextStyle::terminal, layout);
    }
}

}  // namespace lab
