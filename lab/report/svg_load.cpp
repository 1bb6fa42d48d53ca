// The picture of a `lab load` (its key figure): how long its answers took, as hey's ten slices
// from the fastest answer to the slowest, with the median and the 99th percentile marked.
#include "lab/report/svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "lab/figures/load_figures.hpp"
#include "lab/layout.hpp"
#include "lab/report/svg_writer.hpp"

namespace lab {

using namespace svg;  // the writer, and the colours and width the pictures share

namespace {

// A load tester's user looks here first: the makespan of a lesson's batch means nothing for -z 2s.
constexpr const char *answers_colour = "#1f5fa8", *p50_colour = "#1e8449", *p99_colour = "#c0392b";

std::string ms(std::int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 3) + " ms"; }

// The histogram's heading, and its legend; false (said) when no request was answered.
bool heading_and_legend(std::ostream& out, const Histogram& latency, bool answered) {
    out << "<h2>How long each of the " << latency.count()
        << " answered requests took, from when it was due to its answer</h2>\n"
        << "<p class=\"precision\">Percentiles and slices " << latency_precision(latency)
        << ".</p>\n";
    if (!answered) {
        out << "<p>No request was answered.</p>\n";
        return false;
    }
    legend(out,
           {{answers_colour, "answers in each slice of the range, fastest (" + ms(latency.min()) +
                                 ") to slowest (" + ms(latency.max()) + ")"},
            {p50_colour, "p50 " + ms(latency.percentile(50))},
            {p99_colour, "p99 " + ms(latency.percentile(99))}});
    return true;
}

// Where the histogram puts a latency (x) and a count of answers (y). A slice's width is its share
// of the range (all alike, but for answers within a few µs); when every answer took the same
// time, one bar fills the width and the marks stand at its middle. On a log scale when the slices
// are (a long tail): each slice as wide as the others.
struct HistogramFrame {
    static constexpr int left = 70, right = 30, top = 24, plot_height = 220,
                         height = top + plot_height + 44;
    static constexpr double plot = width - left - right;
    std::int64_t low, high, most;
    bool log_scale;
    double x(std::int64_t us) const {
        if (high <= low) return left + 0.5 * plot;
        double share =
            log_scale
                ? std::log(static_cast<double>(std::max(us, low)) / static_cast<double>(low)) /
                      std::log(static_cast<double>(high) / static_cast<double>(low))
                : static_cast<double>(us - low) / static_cast<double>(high - low);
        return left + share * plot;
    }
    double y(std::int64_t n) const {
        return top + plot_height - static_cast<double>(n) / static_cast<double>(most) * plot_height;
    }
};

// A slice's edge on the latency axis, in ms, below the bars at x.
void edge(std::ostream& out, double x, std::int64_t us) {
    text(out, fixed(static_cast<double>(us) / 1000.0, 3), "x", x, "y",
         HistogramFrame::top + HistogramFrame::plot_height + 16, "class", "tick", "text-anchor",
         "middle");
}

// A bar a slice, its count above it and its upper edge below.
void slice_bars(std::ostream& out, const std::vector<LatencySlice>& slices,
                const HistogramFrame& f) {
    using F = HistogramFrame;
    std::int64_t from = f.low;
    for (const LatencySlice& s : slices) {
        const bool alone = slices.size() == 1;  // answers all within a µs: one bar, the whole width
        const double x0 = alone ? F::left : f.x(from),
                     x1 = alone ? F::left + F::plot : f.x(s.upper_us);
        mark(out, "rect",
             std::to_string(s.answers) + " answered in " + ms(from) + " to " + ms(s.upper_us),
             "class", "bar histogram", "data-answers", s.answers, "x", x0 + 1, "y", f.y(s.answers),
             "width", std::max(1.0, x1 - x0 - 2), "height", f.y(0) - f.y(s.answers), "fill",
             answers_colour);
        text(out, std::to_string(s.answers), "x", (x0 + x1) / 2, "y", f.y(s.answers) - 4, "class",
             "value", "text-anchor", "middle");
        edge(out, x1, s.upper_us);
        from = s.upper_us;
    }
}

}  // namespace

void load_histogram_svg(std::ostream& out, const RunResult& run) {
    const LoadFigures& f = run.load_figures;
    const Histogram& latency = f.all.latency;
    const auto slices = latency_slices(f.all);
    if (!heading_and_legend(out, latency, !slices.empty())) return;
    HistogramFrame frame{latency.min(), latency.max(), 1, log_spaced(f.all)};
    for (const LatencySlice& s : slices) frame.most = std::max(frame.most, s.answers);
    using F = HistogramFrame;
    picture(out, "latency-histogram", width, F::height, "latency histogram", "data-answers",
            latency.count());
    for (std::int64_t n : {frame.most, std::int64_t{0}})  // the count scale's top and foot
        text(out, std::to_string(n), "x", F::left - 6, "y", frame.y(n) + 4, "class", "label");
    edge(out, F::left, frame.low);  // the fastest answer, where the first slice starts
    slice_bars(out, slices, frame);
    for (auto [us, colour, name] : {std::tuple{latency.percentile(50), p50_colour, "p50"},
                                    std::tuple{latency.percentile(99), p99_colour, "p99"}})
        mark(out, "line", std::string(name) + ' ' + ms(us), "x1", frame.x(us), "y1", F::top - 8,
             "x2", frame.x(us), "y2", F::top + F::plot_height, "stroke", colour, "stroke-width", 2,
             "stroke-dasharray", "6 4");
    text(out,
         std::string("latency, ms (the edges of the slices") +
             (frame.log_scale ? ", on a log scale" : "") + ")",
         "x", F::left, "y", F::height - 4, "class", "tick");
    out << "</svg>\n";
}

}  // namespace lab
