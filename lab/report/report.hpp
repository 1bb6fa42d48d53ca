#pragma once
// The run as a person reads it: title, load, key figure, table, claims and timelines, for a
// terminal or as Markdown (the other formats `--format` offers are lab/report/formats.hpp).
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "lab/layout.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

enum class TextStyle { terminal, markdown };

// The table's columns (with how each gives way on a narrow terminal), and its rows, header
// first, as CSV and report.html show them.
std::vector<Column> table_columns(const RunResult& run);
std::vector<std::vector<std::string>> table_rows(const RunResult& run);
// The table's footnote for a † (a document's figure below the physical floor), or "" when no
// row has one: the terminal's, report.html's and the live view's.
std::string below_floor_note(const RunResult& run);

// What was sent, in one line: "10 requests, 10 at a time, each waiting d = 0.100 s; ...".
std::string load_line(const RunResult& run);

// Title, load, the key figure, the table and the timelines; `layout` sets the terminal's width.
void print_report(std::ostream& out, const RunResult& run, TextStyle style,
                  const Layout& layout = {});

// results/README.md's "Measured here" (compared_runs.cpp): the newest run of each scenario under
// `root`, one Markdown row per configuration, with the figure its lesson turns on. Generated, never
// typed. False: no run under it.
bool print_measured_table(std::ostream& out, const std::filesystem::path& root);

}  // namespace lab
