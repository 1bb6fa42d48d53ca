#pragma once
// A sweep's curves: each configuration's makespan, throughput and p99 latency against the swept
// value, measured and modelled, as report.html draws them (the terminal keeps the sweep's table).
#include <optional>
#include <string>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

struct CurvePoint {
    double x = 0;  // the swept value (d in ms, as given)
    std::optional<double> measured;  // the median batch's figure; none if the point did not run
    std::optional<double> model;  // the model's, where it has one
};

// One line: a configuration's points, in the order of the values.
struct Curve {
    std::string label;  // the series: the label without its value ("def route, T threads")
    std::vector<CurvePoint> points;
    std::optional<double> ringed = {};  // an x whose measured point is ringed (a ramp's knee)
};

// One chart: its figure and unit, and a line per configuration, on shared axes.
struct CurveChart {
    std::string title;  // "Throughput (requests per second)"
    std::string unit;  // "requests/s"
    int digits = 3;
    std::vector<Curve> curves;
    double most() const;  // the largest value drawn, measured or model
};

// "T" for threads: what the x axis is called; "" when the run is not a sweep.
std::string swept_symbol(const RunResult& run);
// Whether the x axis is logarithmic: values spread over a factor of 8 or more (1, 2, 5, 10, 50).
bool log_axis(const std::vector<int>& values);
// Where `x` falls along the sweep's axis, from 0 (its first value) to 1 (its last), on that scale;
// the terminal's plot and report.html's charts place their points by it.
double sweep_position(double x, const std::vector<int>& values);

// Throughput, makespan and p99 latency, in the order a lesson on Little's law reads them.
std::vector<CurveChart> sweep_charts(const RunResult& run);

}  // namespace lab
