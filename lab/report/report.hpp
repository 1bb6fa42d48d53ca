#pragma once
// The run as a person reads it: title, load, key figure, table, claims and timelines, for a
// terminal or as Markdown; and the other formats `--format` offers.
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab/layout.hpp"
#include "lab/named.hpp"
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

// A lesson that ramps: a line saying what the knee is, then a line a ramped row, its label and
// where it bends ("knee at 40 in flight: the pool's 40 threads"); none for a lesson that does not.
// The terminal's and report.html's.
std::vector<std::string> knee_lines(const RunResult& run);

// What was sent, in one line: "10 requests, 10 at a time, each waiting d = 0.100 s; ...".
std::string load_line(const RunResult& run);

// Title, load, the key figure, the table and the timelines; `layout` sets the terminal's width.
void print_report(std::ostream& out, const RunResult& run, TextStyle style,
                  const Layout& layout = {});

// The formats `--format` offers for a run on stdout: the table a person reads (or its Markdown),
// the table's rows as CSV, and summary.json's own JSON (lab/results/schema.hpp).
enum class Format { table, markdown, csv, json };
template <>
struct Names<Format> {
    static constexpr std::pair<Format, std::string_view> list[] = {{Format::table, "table"},
                                                                   {Format::markdown, "markdown"},
                                                                   {Format::csv, "csv"},
                                                                   {Format::json, "json"}};
};

void print_run(std::ostream& out, const RunResult& run, Format format, const Layout& layout = {});

// results/README.md's "Measured here" (compared_runs.cpp): the newest run of each scenario under
// `root`, one Markdown row per configuration, with the figure its lesson turns on. Generated, never
// typed. False: no run under it.
bool print_measured_table(std::ostream& out, const std::filesystem::path& root);

}  // namespace lab
