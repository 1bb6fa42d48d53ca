#pragma once
// The value of each figure of the catalogue (lab/scenario/figure_catalogue.hpp) for one
// configuration of a run, measured from its batches once, after it ran (or was read back), and kept
// in its result.
#include <optional>
#include <string>
#include <vector>

#include "lab/scenario/figure_catalogue.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// Fills r.figures from its batches and the load it ran (r.load): once, after it ran.
void measure_figures(ConfigurationResult& r);
// As each row of a run ends: its figures, then the run's so far (its physical floor, each row's
// document against it, `lab load`'s figures): what the live view shows, then the report.
void measure_last_row(RunResult& run);
// A run read back or made by hand: each row's load from its scenario, its figures, then the run's.
void measure_figures(RunResult& run);

// The figure's value for one configuration of a run (nullopt: not measured, e.g. no probes): one
// case for each Figure, which the compiler holds to the enum.
std::optional<double> figure_value(Figure figure, const ConfigurationResult& r, const Load& load);

// Each answered request's own time (ms) over every batch, in order: the load's (Batch::requests)
// or the bystander's (Batch::probes). The answer figures are percentiles of it.
std::vector<double> answered_ms(const ConfigurationResult& r,
                                std::vector<RequestRecord> Batch::*sent = &Batch::requests);

// Why figure_value() has none, in words a ✗ or ? can end with: "no health check was sent: each
// batch was over within 2.1 ms, before the first (12.5 ms after the start)". Never empty.
std::string why_not_measured(Figure figure, const ConfigurationResult& r, const Load& load);

}  // namespace lab
