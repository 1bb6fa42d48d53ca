#include "lab/report/report.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "lab/modes/modes.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/schema.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

std::string fixed(double value, int digits = 3) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

using Row = std::vector<std::string>;

Row header_of(const Load& load) {
    Row header{"configuration", "mode", "measured (median, min–max)", "model", "document", "loop blocked (max)", "verdict"};
    if (!load.probe_path.empty()) header.insert(header.begin() + 3, load.probe_path + " meanwhile (p50, max)");
    if (load.report_memory) header.insert(header.end() - 1, "server peak RSS");
    return header;
}

// How long the bystander requests took, over every measured batch.
std::string probe_latency(const ConfigurationResult& r) {
    std::vector<double> ms;
    for (const Batch& b : r.batches)
        for (const RequestRecord& p : b.probes)
            if (p.ok()) ms.push_back(static_cast<double>(p.latency_us()) / 1000.0);
    if (ms.empty()) return "—";
    return fixed(percentile(ms, 50), 1) + " ms, " + fixed(percentile(ms, 100), 1) + " ms";
}

// "8, 2, 0, 0": requests each worker answered in the median batch, busiest first.
std::string per_worker(const ConfigurationResult& r) {
    std::vector<int> counts;
    for (auto [pid, n] : r.stats[r.median_batch].per_worker) counts.push_back(n);
    counts.resize(std::max<std::size_t>(counts.size(), static_cast<std::size_t>(r.configuration.workers)));
    std::sort(counts.rbegin(), counts.rend());
    std::string text;
    for (int n : counts) text += (text.empty() ? "" : ", ") + std::to_string(n);
    return text;
}

// The median over batches of the longest the server's loop was kept from its other work in each.
std::string loop_blocked(const ConfigurationResult& r) {
    std::vector<double> lags;
    for (double lag : r.loop_blocked_ms)
        if (lag >= 0) lags.push_back(lag);
    if (lags.empty()) return "—";
    return fixed(spread_of(lags).median, 1) + " ms";
}

}  // namespace

// What was sent: "10 requests, 10 at a time, each waiting d = 0.100 s; median of 5 ...".
std::string load_line(const RunResult& run) {
    const Load& load = run.scenario.load;
    if (load.rate > 0) {
        std::string line = fixed(load.rate, 0) + " requests per second for " + fixed(load.duration_ms / 1000.0, 1) +
                           " s over " + std::to_string(load.concurrency) + " connections, " + load.method + " " + load.path;
        if (!run.configurations.empty() && run.configurations[0].configuration.server != "external")
            line += "?ms=" + std::to_string(load.delay_ms);
        if (load.stall_ms > 0)
            line += "; one request of " + std::to_string(load.stall_ms) + " ms at " + fixed(load.stall_at_ms / 1000.0, 1) + " s";
        return line + ". Latency from when each request was due (corrected for coordinated omission) and from when it was sent.";
    }
    std::string line = std::to_string(load.requests) + " requests, " + std::to_string(load.concurrency) + " at a time, ";
    if (!run.configurations.empty() && run.configurations[0].configuration.server == "external")
        line += load.method + " " + load.path;
    else if (load.path == "/cpu")
        line += "each computing c = " + fixed(load.delay_ms / 1000.0) + " s of CPU on a machine with " +
                std::to_string(run.cores) + " cores";
    else
        line += "each waiting d = " + fixed(load.delay_ms / 1000.0) + " s";
    line += load.repeat == 1 ? "; one batch" : "; median of " + std::to_string(load.repeat) + " batches";
    return line + (load.warmup ? " after one warm-up" : ", no warm-up") + ". Source: " +
           run.scenario.source;
}

namespace {

Row row_of(const ConfigurationResult& r, const Load& load, int cores) {
    const Configuration& c = r.configuration;
    std::string mode = (c.server == "fastapi" ? "FastAPI/uvicorn, like " : "") +
                       mode_with_options(c.mode, c.threads, c.workers, c.balance);
    if (c.gil && c.server != "fastapi") mode += " +GIL";
    if (c.client == "sequential") mode += ", sequential client";
    if (c.requests) mode += ", N=" + std::to_string(*c.requests);
    std::string measured = r.error.empty() ? fixed(r.makespan.median) + " s (" + fixed(r.makespan.min) +
                                                 "–" + fixed(r.makespan.max) + ")"
                                           : "did not run";
    int failed = 0;
    for (const auto& st : r.stats) failed += st.failed;
    if (failed > 0) measured += ", " + std::to_string(failed) + " failed";
    std::string document = c.document_text.empty() && c.document_s ? fixed(*c.document_s, 2) + " s"
                                                                   : c.document_text;
    if (document.empty()) document = "—";
    if (document_below_floor(c, load, cores)) document += " †";
    std::string verdict = r.error.empty() ? r.verdict : r.error;
    if (r.error.empty() && served_by_workers(c)) verdict += "; per worker: " + per_worker(r);
    std::string model = r.model.formula.empty() ? "—" : fixed(r.model_s) + " s  " + r.model.formula;
    Row row{c.label, mode, measured, model, document, loop_blocked(r), verdict};
    if (!load.probe_path.empty()) row.insert(row.begin() + 3, r.error.empty() ? probe_latency(r) : "—");
    if (load.report_memory)
        row.insert(row.end() - 1, r.peak_rss_kib < 0 ? "—" : fixed(static_cast<double>(r.peak_rss_kib) / 1024.0, 1) + " MiB");
    return row;
}

std::size_t display_width(const std::string& s) {  // UTF-8 code points, enough for our text
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) {
        return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    }));
}

void print_rows(std::ostream& out, const std::vector<Row>& rows, bool markdown) {
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const Row& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], display_width(row[i]));
    auto print = [&](const Row& row) {
        out << (markdown ? "| " : "");
        for (std::size_t i = 0; i < row.size(); ++i)
            out << row[i] << std::string(width[i] - display_width(row[i]), ' ')
                << (i + 1 < row.size() ? " | " : (markdown ? " |" : ""));
        out << '\n';
    };
    print(rows[0]);
    out << (markdown ? "|" : "");
    for (std::size_t i = 0; i < width.size(); ++i)
        out << (markdown ? std::string(width[i] + 2, '-') + "|"
                         : std::string(width[i], '-') + (i + 1 < width.size() ? "-+-" : ""));
    out << '\n';
    for (std::size_t i = 1; i < rows.size(); ++i) print(rows[i]);
}

}  // namespace

bool served_by_workers(const Configuration& c) {
    const ModeInfo* mode = find_mode(c.mode);
    return mode && mode->served_by == "worker";
}


bool document_below_floor(const Configuration& c, const Load& load, int cores) {
    return c.document_s && *c.document_s < physical_floor_s(load, cores) * 0.999;
}

OpenLoopSummary open_loop_summary(const ConfigurationResult& r) {
    OpenLoopSummary s;
    for (const auto& o : r.open_loop) {
        s.corrected.merge(o.corrected);
        s.uncorrected.merge(o.uncorrected);
        s.late += o.late_for_connection;
        s.slip_us = std::max(s.slip_us, o.harness_slip_us);
    }
    return s;
}

std::string ms_triple(const Histogram& h) {
    return fixed(static_cast<double>(h.percentile(50)) / 1000.0, 1) + " / " + fixed(static_cast<double>(h.percentile(99)) / 1000.0, 1) +
           " / " + fixed(static_cast<double>(h.max()) / 1000.0, 1) + " ms";
}

// What the p99 from the due time should be: a loop frozen for S out of D seconds makes the
// requests due during the freeze wait up to S; they are S/D of all, so p99 is S·(1 − 0.01·D/S).
std::string open_loop_model(const ConfigurationResult& r, const Load& load) {
    double d = load.delay_ms / 1000.0;
    double stall = load.stall_ms / 1000.0, duration = load.duration_ms / 1000.0;
    bool one_at_a_time = r.model.at_once == 1;  // the stall holds the whole server
    if (one_at_a_time && stall > 0 && stall / duration > 0.01)
        return fixed(stall * (1 - 0.01 * duration / stall) * 1000.0, 0) + " ms  S·(1 − 0.01·D/S)";
    return fixed(d * 1000.0, 0) + " ms  ≈ d";
}

std::vector<Row> open_loop_rows(const RunResult& run) {
    std::vector<Row> rows{{"configuration", "mode", "from due: p50 / p99 / max", "from send: p50 / p99 / max",
                           "model p99 from due", "late for a connection", "schedule"}};
    for (const auto& r : run.configurations) {
        if (!r.error.empty()) {
            rows.push_back({r.configuration.label, r.configuration.mode, "did not run", "", "", "", r.error});
            continue;
        }
        OpenLoopSummary s = open_loop_summary(r);
        rows.push_back({r.configuration.label, r.configuration.mode, ms_triple(s.corrected), ms_triple(s.uncorrected),
                        open_loop_model(r, run.scenario.load), std::to_string(s.late) + " of " + std::to_string(s.corrected.count()),
                        (s.slip_us > schedule_noise_us ? "SLIPPED: harness fell " : "kept (at worst ") +
                            fixed(static_cast<double>(s.slip_us) / 1000.0, 1) +
                            (s.slip_us > schedule_noise_us ? " ms behind" : " ms late)")});
    }
    return rows;
}

std::vector<Row> table_rows(const RunResult& run) {
    if (run.scenario.load.rate > 0) return open_loop_rows(run);
    std::vector<Row> rows{header_of(run.scenario.load)};
    for (const auto& r : run.configurations) rows.push_back(row_of(r, run.scenario.load, run.cores));
    return rows;
}

double physical_floor_s(const Load& load, int cores) {
    int rounds = (load.requests + load.concurrency - 1) / load.concurrency;
    double each_s = load.delay_ms / 1000.0;
    double floor_s = rounds * each_s;
    if (load.path == "/cpu") floor_s = std::max(floor_s, load.requests * each_s / cores);  // all cores busy
    return floor_s;
}

void print_report(std::ostream& out, const RunResult& run, Format format) {
    const Load& load = run.scenario.load;
    if (format == Format::json) {
        out << summary_json(run).dump(2) << '\n';
        return;
    }
    std::vector<Row> rows = table_rows(run);
    if (format == Format::csv) {
        for (const Row& row : rows) {
            for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csv_field(row[i]);
            out << '\n';
        }
        return;
    }
    out << run.scenario.title << '\n' << load_line(run) << "\n\n";
    print_rows(out, rows, format == Format::markdown);
    bool any_below = std::any_of(run.configurations.begin(), run.configurations.end(),
                                 [&](const auto& r) { return document_below_floor(r.configuration, load, run.cores); });
    if (any_below)
        out << "\n† below the physical floor of " << fixed(physical_floor_s(load, run.cores))
            << " s: every request waits d itself, so no server can answer them all sooner.\n";
    if (format == Format::markdown || load.rate > 0) return;
    for (const auto& r : run.configurations)
        if (r.error.empty()) out << '\n' << timeline(r, load);
}

}  // namespace lab
