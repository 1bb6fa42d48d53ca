#pragma once
// report.html: one self-contained page per run (inline SVG and CSS, nothing fetched), made to be
// read on a projector: the table, a timeline per configuration, and measured vs model vs document.
#include <string>

#include "lab/run/run_result.hpp"

namespace lab {

std::string html_report(const RunResult& run);

}  // namespace lab
