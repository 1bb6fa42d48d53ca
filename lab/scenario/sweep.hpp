#pragma once
// A sweep measures one numeric option at several values (`lab run thread-pool --threads
// 10,40,100`), so that a curve shows where a model bends: a pool flattens at T, workers at the
// cores, a blocked loop at 1. Each value becomes a configuration of its own (a point), measured as
// any other (warm-up, batches, median), labelled with the value that ran and tied to its series.
#include <optional>
#include <string>
#include <vector>

#include "lab/scenario/scenario.hpp"

namespace lab {

// What a sweep may vary: an option of `lab run`, its symbol in the models' terms, its bounds,
// and whether it applies to a configuration (the pool's T only to a pool).
struct SweepOption {
    const char* name;  // "threads", as the command line and [sweep].option name it
    const char* symbol;  // "T"
    const char* placeholder;  // "{T}": a label that shows the value already
    int low, high;
    bool (*applies)(const Configuration&);
    void (*set)(Configuration&, int);
    int (*value)(const Load&, const Configuration&);
};
const std::vector<SweepOption>& sweep_options();
const SweepOption* find_sweep_option(const std::string& name);

// Why a sweep cannot run (an unknown option, a value out of bounds, fewer than 2 or more than
// 12 values, a value twice), or nothing.
std::optional<std::string> sweep_problem(const Sweep& sweep);

// The scenario with each configuration the sweep applies to replaced by one point per value
// (the others run once); labels still hold their placeholders, which apply() fills.
Scenario expand_sweep(Scenario scenario, const Sweep& sweep);

}  // namespace lab
