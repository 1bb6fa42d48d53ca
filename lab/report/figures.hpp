#pragma once
// The figures a run measures for each configuration, each defined once: what the teaching texts
// cite ({measured:2}), what expectations bound ([[expect]] figure = "probe_max"), and what the
// charts draw all read them here.
#include <optional>
#include <string>
#include <vector>

#include "lab/run/runner.hpp"

namespace lab {

struct FigureInfo {
    std::string name;  // as scenario files write it: "probe_p50"
    std::string unit;  // "s", "ms", "MiB", "%", ""
    int digits;        // decimals it is shown with
    std::string what;  // in words, for `lab show`, errors and the README
};

const std::vector<FigureInfo>& figures();
const FigureInfo* find_figure(const std::string& name);  // nullptr: no such figure

// The figure's value for one configuration of a run (nullopt: not measured, e.g. no probes).
std::optional<double> figure_value(const std::string& name, const ConfigurationResult& r, const Load& load);

// "1.004 s", "21.3 ms", "56.5 MiB", "90 %": a value with its figure's digits and unit.
std::string figure_text(const std::string& name, double value);

}  // namespace lab
