#pragma once
// What a `lab load` measured, added up once over its runs: per endpoint and in all, the
// bystander's, hey's latency slices, and the same as JSON for summary.json. The summary's text is
// lab/report/load_summary.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/run/run_result.hpp"

namespace lab {

// Whether the run is a `lab load` of a server the lab did not start.
bool is_external_load(const RunResult& run);

// What a `lab load` measured (RunResult::load_figures), added up over its runs: from the tallies,
// or from the records where a batch has none (as after reading a results folder back).
LoadFigures load_figures(const RunResult& run);

// hey's histogram: ten slices of latency from the fastest answer to the slowest (fewer when all
// came within a few µs), each with how many answers fell in it, equal unless log_spaced; the
// terminal's and report.html's. Empty when nothing was answered.
struct LatencySlice {
    std::int64_t upper_us = 0;  // the slice's upper edge; the first starts at the fastest answer
    std::int64_t answers = 0;
};
std::vector<LatencySlice> latency_slices(const Tally& t);
// Whether its slices are on a log scale: when the slowest answer took 10× the fastest or more.
bool log_spaced(const Tally& t);

// How precise a tally's percentiles and slices are, in words for the terminal and report.html:
// exact while requests.csv holds every answer, else the histogram's buckets' (within 1 %).
std::string latency_precision(const Histogram& h);

// The same figures for tools: summary.json's derived `load_summary`.
nlohmann::json load_summary_json(const RunResult& run);

}  // namespace lab
