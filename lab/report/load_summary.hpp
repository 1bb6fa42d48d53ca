#pragma once
// What `lab load` prints, in the manner of hey and wrk: requests per second, latency percentiles,
// a latency histogram, the status codes, the kinds of error, the bytes; and, when the load mixes
// several endpoints, a row for each. No model, document or source: the server is not the lab's.
#include <string>
#include <vector>

#include "harness/tally.hpp"
#include "lab/report/layout.hpp"
#include "lab/run/runner.hpp"

namespace lab {

// Whether the run is a `lab load` of a server the lab did not start.
bool is_external_load(const RunResult& run);

// "1000 requests, 10 connections on 1 thread, GET /health, keep-alive": the load as it ran.
std::string load_description(const Load& load);

// The targets of the load as `lab load` was given them (path, then more_paths) and their weights.
std::vector<WeightedTarget> load_targets(const Load& load);

// Per target, every measured batch's tally merged (from the records if the batch has none, as
// after reading a results folder back).
std::vector<Tally> load_tallies(const RunResult& run);

// The seconds the requests took: each run's span (first due to last answer), added up.
double load_seconds(const RunResult& run);

// The table of a `lab load`: a row per endpoint (requests, req/s, p50, p99, max, failures, status
// codes), in report.html, the live view, --format csv and markdown, and the summary's mix.
std::vector<Column> load_columns(const RunResult& run);

// The whole summary, every line within layout.columns (at most 80 wide unless --wide).
std::string load_summary_text(const RunResult& run, const Layout& layout);

}  // namespace lab
