#pragma once
// Reads a results folder (summary.json and requests.csv) back into the RunResult the run had,
// so that `lab report` prints the same table and rebuilds the same report.html.
#include <filesystem>
#include <stdexcept>

#include "lab/run/run_result.hpp"

namespace lab {

// A results folder that cannot be read as one: the message names the file, the key or the row
// and column, and what is wrong there.
struct ResultsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

RunResult read_results(const std::filesystem::path& dir);  // throws ResultsError

}  // namespace lab
