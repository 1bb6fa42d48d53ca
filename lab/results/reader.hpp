#pragma once
// Reads a results folder (summary.json and requests.csv) back into a RunResult, so that
// `lab report` can print the table and rebuild report.html from what a run saved.
#include <filesystem>
#include <stdexcept>

#include "lab/run/runner.hpp"

namespace lab {

// Throws std::runtime_error naming the file and what is wrong with it.
RunResult read_results(const std::filesystem::path& dir);

}  // namespace lab
