#pragma once
// The run's table, in the formats `--format` offers, and the numbers behind it as JSON.
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "lab/run/runner.hpp"

namespace lab {

enum class Format { table, markdown, csv, json };

// The fastest any server could be: every request waits d, and a client holding C connections
// needs ceil(N/C) rounds; CPU work also cannot beat N·c spread over every core. A document's
// figure below it cannot have been measured as described.
double physical_floor_s(const Load& load);

// The table's rows, header first, as every format prints them.
std::vector<std::vector<std::string>> table_rows(const RunResult& run);
bool document_below_floor(const Configuration& c, const Load& load);
std::string csv_field(const std::string& s);
// Whether a configuration's requests are told apart by worker process (else by thread).
bool served_by_workers(const Configuration& c);  // quoted when it holds a comma, quote or newline

nlohmann::json summary_json(const RunResult& run);
void print_report(std::ostream& out, const RunResult& run, Format format);

}  // namespace lab
