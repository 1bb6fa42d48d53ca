#include "lab/report/sweep_curves.hpp"

#include <algorithm>
#include <cmath>

#include "lab/scenario/sweep.hpp"

namespace lab {
namespace {

// The configurations of each series, in the order the run measured them (the values ascending).
std::vector<std::pair<std::string, std::vector<const ConfigurationResult*>>> series_of(
    const RunResult& run) {
    std::vector<std::pair<std::string, std::vector<const ConfigurationResult*>>> series;
    for (const ConfigurationResult& r : run.configurations) {
        if (!r.configuration.sweep_value) continue;  // a configuration the sweep does not apply to
        auto same = [&](const auto& s) { return s.first == r.configuration.series; };
        auto it = std::find_if(series.begin(), series.end(), same);
        if (it == series.end()) it = series.insert(series.end(), {r.configuration.series, {}});
        it->second.push_back(&r);
    }
    return series;
}

}  // namespace

double CurveChart::most() const {
    double most = 0;
    for (const Curve& c : curves)
        for (const CurvePoint& p : c.points)
            most = std::max({most, p.measured.value_or(0), p.model.value_or(0)});
    return most;
}

std::string swept_symbol(const RunResult& run) {
    if (!run.scenario.sweep || run.scenario.sweep->values.size() < 2) return "";
    const SweepOption* option = find_sweep_option(run.scenario.sweep->option);
    return option ? option->symbol : run.scenario.sweep->option;
}

bool log_axis(const std::vector<int>& values) {
    return !values.empty() && values.front() > 0 && values.back() >= 8 * values.front();
}

double sweep_position(double x, const std::vector<int>& values) {
    double low = values.front(), high = values.back();
    if (high <= low) return 0;
    double f = log_axis(values) ? (std::log(x) - std::log(low)) / (std::log(high) - std::log(low))
                                : (x - low) / (high - low);
    return std::clamp(f, 0.0, 1.0);  // (a value outside the sweep's: at its edge, not off it)
}

std::vector<CurveChart> sweep_charts(const RunResult& run) {
    CurveChart throughput{"Throughput (requests per second)", "requests/s", 1, {}};
    CurveChart makespan{"How long each batch took (makespan)", "s", 3, {}};
    CurveChart p99{"Latency p99", "s", 3, {}};
    CurveChart memory{"Peak resident memory (the lesson's figure)", "MiB", 1, {}};
    for (const auto& [label, results] : series_of(run)) {
        for (CurveChart* chart : {&throughput, &makespan, &p99, &memory})
            chart->curves.push_back({label, {}});
        for (const ConfigurationResult* r : results) {
            const double x = *r->configuration.sweep_value;
            const int n = r->load.requests;
            CurvePoint tp{x, {}, {}}, mp{x, {}, {}}, pp{x, {}, {}}, rss{x, {}, {}};
            if (r->error.empty() && !r->batches.empty() && r->makespan.median > 0) {
                tp.measured = n / r->makespan.median;
                mp.measured = r->makespan.median;
                pp.measured = r->batches[r->median_batch].stats.latency_p99_s;
            }
            if (!r->model.formula.empty() && r->model_s > 0) {
                tp.model = n / r->model_s;
                mp.model = r->model_s;
            }
            if (r->peak_rss_kib >= 0) rss.measured = r->peak_rss_kib / 1024.0;
            for (auto [chart, point] :
                 {std::pair{&throughput, tp}, {&makespan, mp}, {&p99, pp}, {&memory, rss}})
                chart->curves.back().points.push_back(point);
        }
    }
    // A lesson about memory keeps its figure when swept: first, before the three of every sweep.
    if (run.scenario.key_figure == KeyFigure::peak_memory)
        return {memory, throughput, makespan, p99};
    return {throughput, makespan, p99};
}

}  // namespace lab
