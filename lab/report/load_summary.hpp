#pragma once
// What `lab load` prints, in the manner of hey and wrk: requests per second, latency percentiles,
// a latency histogram, the status codes, the kinds of error, the bytes; and, when the load mixes
// several endpoints, a row for each. No model, document or source: the server is not the lab's.
#include <string>
#include <vector>

#include "lab/figures/load_figures.hpp"
#include "lab/layout.hpp"

namespace lab {

// "1000 requests, 10 connections on 1 thread, GET /health, keep-alive": the load as it ran.
std::string load_description(const Load& load);

// The histogram as text, with its heading (of `run.load_figures.all`: every answer of the run).
std::string latency_histogram_text(const Tally& answers, int columns);

// The table of a `lab load`: a row per endpoint (requests, req/s, p50, p99, max, failures, status
// codes), in report.html, the live view, --format csv and markdown, and the summary's mix.
std::vector<Column> load_columns(const LoadFigures& figures);

// An open loop's (`lab load --rate`) totals as the closed loop's summary gives them: requests per
// second, the status codes and the errors.
std::string open_loop_totals_text(const RunResult& run, int columns);

// The whole summary, every line within layout.columns (at most 80 wide unless --wide).
std::string load_summary_text(const RunResult& run, const Layout& layout);

}  // namespace lab
