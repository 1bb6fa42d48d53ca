#pragma once
// The number a scenario's lesson turns on (scenario.key_figure), gathered once per run so that
// the terminal and report.html chart the same values: how long the batch took, how long the
// bystander waited, how much memory the server held, how the workers shared the requests, or
// (open loop) how latency moved over the run.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

// Bars: one group per configuration, one bar per series, every group on one scale.
struct FigureGroup {
    std::string label;  // the configuration's label
    std::vector<std::optional<double>> values;  // one per series; nullopt: not measured
    std::string note;  // why there is nothing, e.g. "did not run"
};
struct FigureBars {
    std::string title;  // "How long all 10 requests took"
    std::string unit = {};  // "s", "ms", "MiB", "requests"
    int digits = 3;  // decimals the values are shown with
    std::vector<std::string> series = {};  // the legend: one colour each
    std::vector<FigureGroup> groups = {};
    // `lab run --predict`: the series of the class's guesses (drawn outlined)
    int guess_series = -1;
    // The scale's end: the largest value (a guess: at most 4× the largest measured)
    double most() const;
};
FigureBars key_figure_bars(const RunResult& run, KeyFigure figure);  // any but latency-over-time
// A configuration's figure as a table cell: "21.3 ms", or "—" if not measured.
std::string figure_cell(Figure figure, const ConfigurationResult& r);

// Open loop: each due request's latency, from when it was due and from when it was sent.
struct LatencyPoint {
    double due_s, from_due_ms, from_send_ms;
};
struct LatencyTrace {
    std::string label;
    std::vector<LatencyPoint> points;  // of the first measured batch, in due order
    std::optional<double> stall_sent_s, stall_done_s;  // the one slow request, if the load sent one
    std::string note;  // why there are no points, e.g. "did not run"
};
std::vector<LatencyTrace> latency_over_time(const RunResult& run);

// How many jobs waited in the queue, moment by moment: for a configuration that queues its work
// (queue_workers), from each job's own stamps (queued by Redis, started by a worker), so no
// sampling is needed. Drawn under the answer-vs-done bars, on the timelines' time axis.
struct QueueDepth {
    std::string label;
    // (µs from the batch's first send, depth from then on)
    std::vector<std::pair<std::int64_t, int>> steps;
    int most = 0;
};
// One per configuration that queues, from its median batch.
std::vector<QueueDepth> queue_depths(const RunResult& run);

// The key figure as text for the terminal, within `columns` characters per line.
std::string key_figure_text(const RunResult& run, int columns);

}  // namespace lab
