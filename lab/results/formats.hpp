#pragma once
// The formats `--format` offers for a run on stdout: the table a person reads (or its Markdown),
// the table's rows as CSV, and summary.json's own JSON (lab/results/schema.hpp).
#include <iosfwd>
#include <map>
#include <string>

#include "lab/layout.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

enum class Format { table, markdown, csv, json };

// The names the command line takes, for CLI11 to turn into a Format.
const std::map<std::string, Format>& format_names();

void print_run(std::ostream& out, const RunResult& run, Format format, const Layout& layout = {});

}  // namespace lab
