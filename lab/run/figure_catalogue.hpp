#pragma once
// The figures a run measures for each configuration, each defined once: what the teaching texts
// cite ({measured:2}), what expectations bound ([[expect]] figure = "probe_max"), and what the
// charts draw all name them here. Their values come from lab/figures/figure_value.hpp.
#include <string>
#include <vector>

namespace lab {

struct FigureInfo {
    std::string name;  // as scenario files write it: "probe_p50"
    std::string unit;  // "s", "ms", "MiB", "%", ""
    int digits;        // decimals it is shown with
    std::string what;  // in words, for `lab show`, errors and the README
};

const std::vector<FigureInfo>& figures();
const FigureInfo* find_figure(const std::string& name);  // nullptr: no such figure

// "1.004 s", "21.3 ms", "56.5 MiB", "90 %": a value with its figure's digits and unit.
std::string figure_text(const std::string& name, double value);

}  // namespace lab
