#pragma once
// The formats `--format` offers for a run on stdout: the table a person reads (or its Markdown),
// the table's rows as CSV, and summary.json's own JSON (lab/results/schema.hpp).
#include <iosfwd>
#include <string_view>
#include <utility>

#include "lab/layout.hpp"
#include "lab/named.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

enum class Format { table, markdown, csv, json };
template <>
struct Names<Format> {
    static constexpr std::pair<Format, std::string_view> list[] = {{Format::table, "table"},
                                                                   {Format::markdown, "markdown"},
                                                                   {Format::csv, "csv"},
                                                                   {Format::json, "json"}};
};

void print_run(std::ostream& out, const RunResult& run, Format format, const Layout& layout = {});

}  // namespace lab
