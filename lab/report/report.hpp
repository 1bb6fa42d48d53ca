#pragma once
// The run's table, in the formats `--format` offers (the JSON one is summary.json's, lab/results/schema.hpp).
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "lab/run/runner.hpp"

namespace lab {

enum class Format { table, markdown, csv, json };

// The fastest any server could be: every request waits d, and a client holding C connections
// needs ceil(N/C) rounds; CPU work also cannot beat N·c spread over every core. A document's
// figure below it cannot have been measured as described.
double physical_floor_s(const Load& load, int cores);

// The table's rows, header first, as every format prints them.
std::vector<std::vector<std::string>> table_rows(const RunResult& run);
bool document_below_floor(const Configuration& c, const Load& load, int cores);

// What was sent, in one line: "10 requests, 10 at a time, each waiting d = 0.100 s; ...".
std::string load_line(const RunResult& run);

// Open loop: the latency of every due request, merged over the batches, in two ways.
struct OpenLoopSummary {
    Histogram corrected, uncorrected;
    int late = 0;
    std::int64_t slip_us = 0;
};
OpenLoopSummary open_loop_summary(const ConfigurationResult& r);
// Whether a configuration's requests are told apart by worker process (else by thread).
bool served_by_workers(const Configuration& c);

void print_report(std::ostream& out, const RunResult& run, Format format);

}  // namespace lab
