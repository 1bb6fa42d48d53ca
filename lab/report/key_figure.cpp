#include "lab/report/key_figure.hpp"

#include <algorithm>

#include "lab/layout.hpp"
#include "lab/guess.hpp"
#include "lab/report/load_summary.hpp"
#include "lab/report/predictions.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/report/timeline.hpp"

namespace lab {
namespace {

// A group with nothing to show says why.
FigureGroup group_of(const ConfigurationResult& r, std::size_t series) {
    FigureGroup g{r.configuration.label, std::vector<std::optional<double>>(series), ""};
    if (!r.error.empty() || r.batches.empty()) g.note = "did not run";
    return g;
}

// A group a configuration, its first values `figures` of the catalogue (a series each); one that
// ran and has none of them says `none` instead.
FigureBars figure_bars(const RunResult& run, std::string title, std::string unit, int digits,
                       std::vector<std::string> series, const std::vector<Figure>& figures,
                       const char* none = "") {
    FigureBars f{std::move(title), std::move(unit), digits, std::move(series)};
    for (const auto& r : run.configurations) {
        FigureGroup g = group_of(r, f.series.size());
        if (g.note.empty()) {
            std::ranges::transform(figures, g.values.begin(),
                                   [&](Figure x) { return r.figure(x); });
            if (std::ranges::none_of(g.values, [](const auto& v) { return v.has_value(); }))
                g.note = none;
        }
        f.groups.push_back(std::move(g));
    }
    return f;
}

FigureBars makespan_bars(const RunResult& run) {
    const int n = run.scenario.load.requests;
    FigureBars f = figure_bars(run,
                               n == 1 ? std::string("How long the request took")
                                      : "How long all " + count_of(n, "request") + " took",
                               "s", 3, {"measured (median)", "model", "document"},
                               {Figure::measured, Figure::model});
    for (std::size_t k = 0; k < f.groups.size(); ++k)
        if (f.groups[k].note.empty())
            f.groups[k].values[2] = run.configurations[k].configuration.document_s;
    return f;
}

FigureBars bystander_bars(const RunResult& run) {
    const Load& load = run.scenario.load;
    std::string when = "while the batch ran";
    if (load.probe_after_ms > 0)
        when += " and " + fixed(load.probe_after_ms / 1000.0, 1) + " s past its last answer";
    // (probes are GETs)
    return figure_bars(run, "How long GET " + load.probe_path + " waited " + when, "ms", 1,
                       {"median", "worst"}, {Figure::probe_p50, Figure::probe_max},
                       "no probe was answered");
}

// A queue's promise: the answer comes at once, the work is done when the workers get to it.
FigureBars answer_vs_done_bars(const RunResult& run) {
    FigureBars f = figure_bars(
        run,
        "How soon each request was answered, and how soon its work was done (a queued job: "
        "answered 202 at once, done when its worker finished it)",
        "s", 3, {"answer, median", "done, median", "all done (median batch)"},
        {Figure::answer_p50, Figure::done_p50, Figure::measured});
    // (the answer's median is counted in ms)
    for (FigureGroup& g : f.groups)
        if (g.values[0]) *g.values[0] /= 1000.0;
    return f;
}

FigureBars memory_bars(const RunResult& run) {
    // PSS is the kernel's own count (a page shared by k processes is 1/k in each); peak RSS counts
    // a shared page in every process that maps it, as `top` does: forked workers differ most.
    FigureBars f =
        figure_bars(run, "The server's memory: its PSS after the load, and its peak RSS", "MiB", 1,
                    {"PSS", "peak RSS"}, {Figure::pss, Figure::peak_rss}, "not measured");
    // Rows sent different numbers of requests are compared per request too, else a row with
    // a tenth of the load reads as the cheapest design.
    const bool unlike = std::ranges::any_of(run.configurations, [&](const auto& r) {
        return r.load.requests != run.scenario.load.requests;
    });
    for (std::size_t k = 0; k < f.groups.size(); ++k) {
        FigureGroup& g = f.groups[k];
        if (auto counted = g.values[0] ? g.values[0] : g.values[1]; unlike && counted) {
            const int n = run.configurations[k].load.requests;
            g.label += " — " + count_of(n, "request") + ": " + fixed(*counted * 1024.0 / n, 1) +
                       " KiB a request" + (g.values[0] ? " (PSS)" : " (peak RSS)");
        }
    }
    return f;
}

FigureBars per_worker_bars(const RunResult& run) {
    std::size_t most_workers = 1;
    for (const auto& r : run.configurations)
        if (served_by_processes(r.configuration))
            most_workers = std::max(most_workers,
                                    static_cast<std::size_t>(serving_processes(r.configuration)));
    // Named as the scenario's processes are: all hosts behind nginx, or worker processes.
    bool hosts = std::ranges::all_of(run.configurations, [](const auto& r) {
        return !served_by_processes(r.configuration) || r.configuration.behind_nginx();
    });
    std::string who = hosts ? "host" : "worker";
    FigureBars f{.title = "Requests each " + who + (hosts ? "" : " process") +
                          " answered (median batch; " + who + " 1 answered most)",
                 .digits = 0};
    for (std::size_t w = 1; w <= most_workers; ++w)
        f.series.push_back(who + " " + std::to_string(w));
    for (const auto& r : run.configurations) {
        FigureGroup g = group_of(r, most_workers);
        if (g.note.empty() && !served_by_processes(r.configuration))
            g.note = "one process, no workers";
        if (g.note.empty()) {
            const auto& counts = r.batches[r.median_batch].stats.per_worker;
            std::vector<std::int64_t> pids = workers_busiest_first(r);
            const std::size_t workers = std::min(
                most_workers, static_cast<std::size_t>(serving_processes(r.configuration)));
            for (std::size_t w = 0; w < workers; ++w)  // (0: a worker that answered none)
                g.values[w] = w < pids.size() ? counts.at(pids[w]) : 0;
        }
        f.groups.push_back(std::move(g));
    }
    return f;
}

FigureBars bars_of(const RunResult& run, KeyFigure figure) {
    switch (figure) {
        case KeyFigure::bystander_latency: return bystander_bars(run);
        case KeyFigure::peak_memory: return memory_bars(run);
        case KeyFigure::per_worker: return per_worker_bars(run);
        case KeyFigure::answer_vs_done: return answer_vs_done_bars(run);
        case KeyFigure::tick_lateness:  // the websockets lesson's: each client's latest ticks
            return figure_bars(
                run,
                "How late each client's latest tick came (the median client, the "
                "99th percentile, the worst)",
                "ms", 1, {"median client", "p99 client", "worst"},
                {Figure::tick_late_p50, Figure::tick_late_p99, Figure::tick_late_max});
        default: return makespan_bars(run);
    }
}

// Bars, one line per series under each configuration's label, on one scale.
std::string bars_text(const FigureBars& f, int columns) {
    std::size_t name_width = 0;
    for (const auto& s : f.series) name_width = std::max(name_width, display_width(s));
    int value_width = static_cast<int>(fixed(f.most(), f.digits).size() + 1 + f.unit.size());
    int bar_width = std::max(10, columns - 2 - static_cast<int>(name_width) - 2 - 1 - value_width);
    std::string out =
        wrap(f.title + (f.unit.empty() ? "" : " (" + f.unit + ")") + ", every bar on one scale:",
             columns);
    for (const auto& g : f.groups) {
        out += wrap(g.label, columns) + (g.note.empty() ? "" : "  " + g.note + "\n");
        if (!g.note.empty()) continue;
        for (std::size_t i = 0; i < f.series.size(); ++i) {
            if (!g.values[i]) continue;
            out += "  " + f.series[i] + std::string(name_width - display_width(f.series[i]), ' ') +
                   "  " + bar(*g.values[i], f.most(), bar_width) + " " +
                   fixed(*g.values[i], f.digits) + (f.unit.empty() ? "" : " " + f.unit) + "\n";
        }
    }
    return out;
}

// Each configuration's latency over the run in one row of columns: the worst request due in
// each slice of time, as a block of one of eight heights; every row on one scale.
std::string traces_text(const std::vector<LatencyTrace>& traces, const Load& load, int columns) {
    static const char* heights[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    double duration = load.duration_ms / 1000.0, most = 0;
    for (const auto& t : traces)
        for (const auto& p : t.points) most = std::max({most, p.from_due_ms, p.from_send_ms});
    const std::string first = "  from due   ", second = "  from send  ";
    int slices = std::max(10, columns - static_cast<int>(first.size()) - 2);
    std::string out = wrap(
        "Latency over the run, from when each request was due and from when it was sent: "
        "the worst in each " +
            fixed(duration / slices * 1000, 0) + " ms; █ = " + fixed(most, 1) +
            " ms, every row on one scale.",
        columns);
    out += std::string(first.size(), ' ') + "0 s" +
           std::string(static_cast<std::size_t>(std::max(1, slices - 8)), ' ') +
           fixed(duration, 1) + " s\n";
    for (const auto& t : traces) {
        out += wrap(t.label, columns) + (t.note.empty() ? "" : "  " + t.note + "\n");
        if (!t.note.empty()) continue;
        for (bool from_due : {true, false}) {
            std::vector<double> worst(static_cast<std::size_t>(slices), -1);
            for (const auto& p : t.points) {
                auto slice = static_cast<std::size_t>(
                    std::clamp<int>(static_cast<int>(p.due_s / duration * slices), 0, slices - 1));
                worst[slice] = std::max(worst[slice], from_due ? p.from_due_ms : p.from_send_ms);
            }
            std::string row = from_due ? first : second;
            for (double w : worst)
                row += w < 0 ? " "
                             : heights[std::clamp<int>(
                                   static_cast<int>(w / std::max(most, 1e-9) * 8), 0, 7)];
            out += row + "\n";
        }
    }
    return out;
}

// The depths as text, one row per configuration: the most jobs waiting in each slice of
// `axis_us`, as a digit (+ for ten or more), within `columns`.
std::string queue_depth_text(const std::vector<QueueDepth>& depths, std::int64_t axis_us,
                             int columns) {
    if (depths.empty() || axis_us <= 0) return "";
    const int slices = std::max(10, columns - 4);
    std::string out = wrap("Jobs waiting in the queue (median batch; the most in each " +
                               fixed(static_cast<double>(axis_us) / slices / 1000.0, 0) +
                               " ms, on the timelines' axis of " + seconds_text(axis_us) + "):",
                           columns);
    for (const auto& d : depths) {
        out += wrap(d.label, columns);
        std::string row = "    ";
        for (int s = 0; s < slices; ++s) {
            std::int64_t from = axis_us * s / slices, to = axis_us * (s + 1) / slices;
            int most = -1;  // the depth at the slice's start, and every step within it
            for (std::size_t i = 0; i < d.steps.size(); ++i) {
                std::int64_t begins = d.steps[i].first,
                             ends = i + 1 < d.steps.size() ? d.steps[i + 1].first : INT64_MAX;
                if (begins < to && ends > from) most = std::max(most, d.steps[i].second);
            }
            row += most <= 0 ? "·" : most > 9 ? "+" : std::string(1, static_cast<char>('0' + most));
        }
        out += row + "\n";
    }
    return out;
}

}  // namespace

std::string figure_cell(Figure figure, const ConfigurationResult& r) {
    auto value = r.figure(figure);
    return value ? figure_text(figure, *value) : "—";
}

double FigureBars::most() const {
    double m = 0, guessed = 0;  // the longest measured bar, and the longest guess
    for (const auto& g : groups)
        for (std::size_t i = 0; i < g.values.size(); ++i) {
            double& longest = static_cast<int>(i) == guess_series ? guessed : m;
            if (g.values[i]) longest = std::max(longest, *g.values[i]);
        }
    // A guess far past every measured bar (a typo, a guess in the wrong unit) stops the scale at
    // four times their longest: its bar runs to the end, its value says how far it went.
    return m > 0 ? std::max(m, std::min(guessed, 4 * m)) : guessed;
}

// `lab run --predict`: the class's guesses as one more series, where the bars show the guessed
// figure in a unit it converts to (a makespan, the bystander's median, PSS, a queued answer); not
// on another figure's chart (e.g. the comparison).
FigureBars key_figure_bars(const RunResult& run, KeyFigure figure) {
    FigureBars f = bars_of(run, figure);
    const std::optional<Figure> guessed = guessed_figure(run.scenario.key_figure);
    if (figure != run.scenario.key_figure || !has_guesses(run) || !guessed) return f;
    const std::optional<double> scale = unit_factor(info(*guessed).unit, f.unit);
    if (!scale) return f;  // (per worker: counts, against a guessed share)
    f.guess_series = static_cast<int>(f.series.size());
    f.series.push_back("your guess");
    for (std::size_t k = 0; k < f.groups.size(); ++k) {
        const auto& guess = run.configurations[k].configuration.guess;
        f.groups[k].values.push_back(
            guess && f.groups[k].note.empty() ? std::optional(*guess * *scale) : std::nullopt);
    }
    return f;
}

std::vector<LatencyTrace> latency_over_time(const RunResult& run) {
    std::vector<LatencyTrace> traces;
    for (const auto& r : run.configurations) {
        LatencyTrace t{r.configuration.label, {}, std::nullopt, std::nullopt, group_of(r, 0).note};
        if (t.note.empty()) {
            const Batch& b = r.batches.front();
            for (const RequestRecord& q : b.requests)
                if (q.ok() && q.intended_us >= 0 && q.send_us >= 0)
                    t.points.push_back({static_cast<double>(q.intended_us) / 1e6,
                                        static_cast<double>(q.end_us - q.intended_us) / 1000.0,
                                        static_cast<double>(q.end_us - q.send_us) / 1000.0});
            std::ranges::sort(t.points, {}, &LatencyPoint::due_s);
            for (const RequestRecord& stall : b.probes)  // the open loop's slow request: a probe
                if (stall.send_us >= 0) {
                    t.stall_sent_s = static_cast<double>(stall.send_us) / 1e6;
                    if (stall.end_us >= 0) t.stall_done_s = static_cast<double>(stall.end_us) / 1e6;
                }
        }
        traces.push_back(std::move(t));
    }
    return traces;
}

std::vector<QueueDepth> queue_depths(const RunResult& run) {
    std::vector<QueueDepth> all;
    for (const auto& r : run.configurations) {
        if (!r.configuration.queued() || r.batches.empty()) continue;
        const Batch& b = r.batches[r.median_batch];
        std::int64_t t0 = INT64_MAX;
        // +1 when queued, -1 when a worker took it
        std::vector<std::pair<std::int64_t, int>> events;
        for (const RequestRecord& q : b.requests) {
            if (q.send_us >= 0) t0 = std::min(t0, q.send_us);
            if (q.job_queued_us < 0) continue;
            events.push_back({q.job_queued_us, +1});
            if (q.server_start_us >= 0) events.push_back({q.server_start_us, -1});
        }
        if (t0 == INT64_MAX) continue;
        std::sort(events.begin(), events.end());
        QueueDepth d{r.configuration.label, {{0, 0}}, 0};
        int depth = 0;
        for (auto [at, change] : events) {
            depth = std::max(0, depth + change);
            d.steps.push_back({at - t0, depth});
            d.most = std::max(d.most, depth);
        }
        all.push_back(std::move(d));
    }
    return all;
}

std::string key_figure_text(const RunResult& run, int columns) {
    if (run.scenario.key_figure == KeyFigure::latency_over_time)
        return traces_text(latency_over_time(run), run.scenario.load, columns);
    if (run.scenario.key_figure == KeyFigure::latency_histogram)
        return latency_histogram_text(run.load_figures.all, columns);
    std::string text = bars_text(key_figure_bars(run, run.scenario.key_figure), columns);
    if (run.scenario.key_figure == KeyFigure::answer_vs_done)  // and the queue filling and draining
        text += queue_depth_text(queue_depths(run), shared_axis_us(run), columns);
    return text;
}

}  // namespace lab
