#include "lab/report/sweep_curves.hpp"

#include <algorithm>
#include <cmath>

#include "lab/layout.hpp"
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
    return std::clamp(f, 0.0,
                      1.0);  // (a value outside the sweep's: at its edge, never off the chart)
}

std::vector<CurveChart> sweep_charts(const RunResult& run) {
    CurveChart throughput{"Throughput (requests per second)", "requests/s", 1, {}};
    CurveChart makespan{"How long each batch took (makespan)", "s", 3, {}};
    CurveChart p99{"Latency p99", "s", 3, {}};
    CurveChart memory{"Peak resident memory (the lesson's figure)", "MiB", 1, {}};
    for (const auto& [label, results] : series_of(run)) {
        Curve t{label, {}}, m{label, {}}, p{label, {}}, rss{label, {}};
        for (const ConfigurationResult* r : results) {
            const double x = *r->configuration.sweep_value;
            const int n = r->load.requests;
            CurvePoint tp{x, {}, {}}, mp{x, {}, {}}, pp{x, {}, {}};
            if (r->error.empty() && !r->batches.empty() && r->makespan.median > 0) {
                tp.measured = n / r->makespan.median;
                mp.measured = r->makespan.median;
                pp.measured = r->batches[r->median_batch].stats.latency_p99_s;
            }
            if (!r->model.formula.empty() && r->model_s > 0) {
                tp.model = n / r->model_s;
                mp.model = r->model_s;
            }
            t.points.push_back(tp);
            m.points.push_back(mp);
            p.points.push_back(pp);
            rss.points.push_back(
                {x,
                 r->peak_rss_kib >= 0 ? std::optional(r->peak_rss_kib / 1024.0) : std::nullopt,
                 {}});
        }
        throughput.curves.push_back(t);
        makespan.curves.push_back(m);
        p99.curves.push_back(p);
        memory.curves.push_back(rss);
    }
    // A lesson about memory keeps its figure when swept: first, before the three of every sweep.
    if (run.scenario.key_figure == KeyFigure::peak_memory)
        return {memory, throughput, makespan, p99};
    return {throughput, makespan, p99};
}

namespace {

// One chart of curves drawn in text: a letter per configuration, upper case at a measured point,
// lower case on the line between two, `*` where two points fall in one cell.
class TextPlot {
public:
    static constexpr int height = 9, margin = 9;  // rows of the plot; "  1234.5 ┤"
    TextPlot(const std::vector<int>& values, int columns, double most)
        : values_(values),
          plot_(std::max(20, columns - margin - 4)),
          most_(most),
          cells_(height, std::vector<std::string>(static_cast<std::size_t>(plot_), " ")) {}

    void draw(const std::vector<CurvePoint>& points, std::size_t k) {
        const std::string upper(1, static_cast<char>('A' + k % 26)),
            lower(1, static_cast<char>('a' + k % 26));
        for (std::size_t i = 0; i + 1 < points.size(); ++i) {
            if (!points[i].measured || !points[i + 1].measured) continue;
            int c0 = column_of(points[i].x), c1 = column_of(points[i + 1].x);
            for (int c = c0 + 1; c < c1; ++c) {
                double v = *points[i].measured +
                           (*points[i + 1].measured - *points[i].measured) * (c - c0) / (c1 - c0);
                std::string& cell = cell_at(v, c);
                if (cell == " ") cell = lower;
            }
        }
        for (const CurvePoint& p : points) {
            if (!p.measured) continue;
            std::string& cell = cell_at(*p.measured, column_of(p.x));
            cell = std::isupper(static_cast<unsigned char>(cell[0])) && cell != upper ? "*" : upper;
        }
    }

    // The rows, each after its label on the y axis (at the top, middle and bottom).
    std::string rows(int digits) const {
        std::string out;
        for (int row = 0; row < height; ++row) {
            bool tick = row == 0 || row == height - 1 || row == (height - 1) / 2;
            std::string label =
                tick ? fixed(most_ * (height - 1 - row) / (height - 1), digits) : "";
            std::string line = std::string(static_cast<std::size_t>(std::max(
                                               0, margin - 1 - static_cast<int>(label.size()))),
                                           ' ') +
                               label + (tick ? " ┤" : " │");
            for (const std::string& cell : cells_[static_cast<std::size_t>(row)]) line += cell;
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out += line + "\n";
        }
        return out;
    }

    // The x axis: a tick and the value under each point that has room for its label.
    std::string x_axis() const {
        std::string labels(static_cast<std::size_t>(plot_ + 4), ' ');
        std::vector<bool> tick_at(static_cast<std::size_t>(plot_), false);
        int free_from = 0;
        for (int v : values_) {
            int c = column_of(v);
            tick_at[static_cast<std::size_t>(c)] = true;
            std::string text = std::to_string(v);
            int start = std::max(free_from, c - static_cast<int>(text.size()) / 2);
            if (start + static_cast<int>(text.size()) > plot_ + 3 || start > c)
                continue;  // no room: the tick alone
            labels.replace(static_cast<std::size_t>(start), text.size(), text);
            free_from = start + static_cast<int>(text.size()) + 1;
        }
        std::string axis_line = std::string(static_cast<std::size_t>(margin), ' ') + "└";
        for (int c = 0; c < plot_; ++c)
            axis_line += tick_at[static_cast<std::size_t>(c)] ? "┬" : "─";
        std::string out =
            axis_line + "\n" + std::string(static_cast<std::size_t>(margin + 1), ' ') + labels;
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out;
    }

private:
    int row_of(double v) const {
        return height - 1 -
               std::clamp(static_cast<int>(std::lround(v / most_ * (height - 1))), 0, height - 1);
    }
    int column_of(double x) const {
        return static_cast<int>(std::lround(sweep_position(x, values_) * (plot_ - 1)));
    }
    std::string& cell_at(double v, int column) {
        return cells_[static_cast<std::size_t>(row_of(v))][static_cast<std::size_t>(column)];
    }

    const std::vector<int>& values_;
    const int plot_;
    const double most_;
    std::vector<std::vector<std::string>> cells_;  // [row][column], row 0 at the top
};

}  // namespace

std::string sweep_charts_text(const RunResult& run, int columns) {
    if (!run.scenario.sweep) return "";
    const std::vector<int>& values = run.scenario.sweep->values;
    std::string out;
    const auto charts = sweep_charts(run);
    for (const CurveChart& chart : charts) {
        const double most = chart.most();
        if (most <= 0) continue;
        TextPlot plot(values, columns, most);
        for (std::size_t k = 0; k < chart.curves.size(); ++k) plot.draw(chart.curves[k].points, k);
        out += wrap(chart.title + " against " + swept_symbol(run) +
                        (run.scenario.sweep->option == "delay" ? " (ms)" : "") +
                        (log_axis(values) ? " (a log scale)" : "") + ":",
                    columns);
        out += plot.rows(chart.digits) + plot.x_axis() + "\n\n";
    }
    if (!charts.empty() && !charts.front().curves.empty()) {
        std::string legend;
        for (std::size_t k = 0; k < charts.front().curves.size(); ++k)
            legend += std::string(1, static_cast<char>('A' + k % 26)) + "  " +
                      printable(charts.front().curves[k].label) + "\n";
        out += legend + "(the models' curves are dashed in report.html)\n";
    }
    return out;
}

}  // namespace lab
