#include "lab/scenario/sweep.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "lab/modes/modes.hpp"

namespace lab {
namespace {

bool always(const Configuration&) { return true; }
bool takes_threads(const Configuration& c) {
    return find_mode(c.mode) && find_mode(c.mode)->takes_threads;
}
bool takes_workers(const Configuration& c) {
    return find_mode(c.mode) && find_mode(c.mode)->takes_workers;
}

// Whether two configurations run the same server under the same load once `option` is set to
// the same value in both: then a sweep measures them once.
bool same_but_for(const SweepOption& option, Configuration a, Configuration b) {
    option.set(a, 0);
    option.set(b, 0);
    auto key = [](const Configuration& c) {
        return std::tie(c.mode, c.server, c.fastapi_variant, c.fastapi_server, c.fastapi_loop,
                        c.threads, c.workers, c.balance, c.worker_mode, c.gil, c.blocking_redis,
                        c.db_pool, c.db_pool_kept, c.queue_workers, c.hosts, c.upstream, c.client,
                        c.requests, c.concurrency, c.delay_ms);
    };
    return key(a) == key(b);
}

// The label of a row's curve: its symbol where the label shows the value ("def route, T threads").
std::string series_label(const std::string& label, const SweepOption& option) {
    std::string series = label;
    if (auto at = series.find(option.placeholder); at != std::string::npos)
        series.replace(at, std::string_view(option.placeholder).size(), option.symbol);
    return series;
}

// A row's points, one per value: the series keeps the symbol where the label shows the value
// ("def route, T threads"), each point's label the value, by its placeholder or at the end.
void add_points(std::vector<Configuration>& points, const Configuration& c,
                const SweepOption& option, const std::vector<int>& values, int home) {
    const bool load_option = option.name == std::string_view("requests") ||
                             option.name == std::string_view("concurrency") ||
                             option.name == std::string_view("delay");
    const std::string series = series_label(c.label, option);
    std::string label = c.label;
    if (c.label.find(option.placeholder) == std::string::npos)
        label += std::string(", ") + option.symbol + " = " + option.placeholder;
    for (int v : values) {
        Configuration point = c;
        option.set(point, v);
        point.sweep_value = v;
        point.sweep_home = home;
        point.series = series;
        point.label = label;
        // The document measured its own N, C and d: at another, its figure does not compare.
        if (load_option && v != home && point.document_s) {
            point.document_text = (point.document_text.empty() ? std::to_string(*point.document_s)
                                                               : point.document_text) +
                                  " (for " + option.symbol + " = " + std::to_string(home) + ")";
            point.document_s.reset();
        }
        points.push_back(point);
    }
}

}  // namespace

const std::vector<SweepOption>& sweep_options() {
    // The load's numbers (every configuration sends them) and the servers' sizes (only the
    // configurations that have one).
    static const std::vector<SweepOption> options{
        {"requests", "N", "{N}", 1, 10'000, always, [](Configuration& c, int v) { c.requests = v; },
         [](const Load& l, const Configuration& c) { return c.requests.value_or(l.requests); }},
        {"concurrency", "C", "{C}", 1, 10'000, always,
         [](Configuration& c, int v) { c.concurrency = v; },
         [](const Load& l, const Configuration& c) {
             return c.concurrency.value_or(l.concurrency);
         }},
        {"delay", "d", "{d}", 0, 60'000, always, [](Configuration& c, int v) { c.delay_ms = v; },
         [](const Load& l, const Configuration& c) { return c.delay_ms.value_or(l.delay_ms); }},
        {"threads", "T", "{T}", 1, 10'000, takes_threads,
         [](Configuration& c, int v) { c.threads = v; },
         [](const Load&, const Configuration& c) { return c.threads; }},
        {"workers", "W", "{W}", 1, 64, takes_workers,
         [](Configuration& c, int v) { c.workers = v; },
         [](const Load&, const Configuration& c) { return c.workers; }},
        {"db-pool", "P", "{P}", 1, 100, always, [](Configuration& c, int v) { c.db_pool = v; },
         [](const Load&, const Configuration& c) { return c.db_pool; }},
    };
    return options;
}

const SweepOption* find_sweep_option(const std::string& name) {
    for (const SweepOption& o : sweep_options())
        if (name == o.name) return &o;
    return nullptr;
}

std::optional<std::string> sweep_problem(const Sweep& sweep) {
    const SweepOption* option = find_sweep_option(sweep.option);
    if (!option) {
        std::string known;
        for (const SweepOption& o : sweep_options())
            known += (known.empty() ? "" : ", ") + std::string(o.name);
        return "'" + sweep.option + "' cannot be swept; these can: " + known;
    }
    if (sweep.values.size() < 2 || sweep.values.size() > 12)
        return "a sweep takes 2 to 12 values, got " + std::to_string(sweep.values.size());
    std::set<int> seen;
    for (int v : sweep.values) {
        if (v < option->low || v > option->high)
            return std::string(option->name) + " must be between " + std::to_string(option->low) +
                   " and " + std::to_string(option->high) + ", got " + std::to_string(v);
        if (!seen.insert(v).second) return std::to_string(v) + " is given twice";
    }
    return std::nullopt;
}

Scenario expand_sweep(Scenario s, const Sweep& sweep) {
    const SweepOption& option = *find_sweep_option(sweep.option);
    std::vector<int> values = sweep.values;
    std::sort(values.begin(), values.end());  // a curve runs left to right
    std::vector<Configuration> points, swept;
    std::string merged;  // the rows the sweep makes the same as an earlier one, said once
    for (const Configuration& c : s.configurations) {
        if (!option.applies(c)) {
            points.push_back(c);
            continue;
        }
        const int home = option.value(s.load, c);  // the row's own value: its claims are about it
        // thread-pool's 40 and 100 threads are one series once T is swept: measured once, and the
        // second row's claims are checked on the first's points, at the second's own value.
        auto same = std::find_if(swept.begin(), swept.end(), [&](const Configuration& o) {
            return option.value(s.load, o) != home && same_but_for(option, o, c);
        });
        if (same == swept.end()) {
            swept.push_back(c);
            add_points(points, c, option, values, home);
            continue;
        }
        // "row 2 (“def route, T threads” at T = 100) is row 1's curve at that T: measured once"
        merged += std::string(merged.empty() ? "" : "; ") + "row " + std::to_string(c.number) +
                  " (“" + series_label(c.label, option) + "” at " + option.symbol + " = " +
                  std::to_string(home) + ") is row " + std::to_string(same->number) +
                  "'s curve at that " + option.symbol + ": measured once, there";
        s.merged.push_back(c);
        for (Expectation& e : s.expectations) {
            if (e.relative_row == c.number) e.relative_row = same->number;
            if (e.row != c.number) continue;
            e.row = same->number;
            if (!e.at) e.at = home;
        }
    }
    if (!merged.empty()) s.notices.push_back(merged);
    s.configurations = std::move(points);
    s.sweep = Sweep{sweep.option, values};
    return s;
}

}  // namespace lab
