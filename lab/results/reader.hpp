#pragma once
// Reads a results folder (summary.json and requests.csv) back into the RunResult the run had,
// so that `lab report` prints the same table and rebuilds the same report.html.
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

// A results folder that cannot be read as one: the message names the file, the key or the row
// and column, and what is wrong there.
struct ResultsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What `lab report` reads of a requests.csv and a summary.json, at most: a bigger file, a row
// longer, or one that is not a regular file (a link to /dev/urandom, a FIFO) is refused with the
// reason, before it is opened.
inline constexpr std::uintmax_t max_requests_csv_bytes = std::uintmax_t{1} << 30;
inline constexpr std::size_t max_requests_csv_row_bytes = 64 << 10;
inline constexpr std::uintmax_t max_summary_json_bytes = std::uintmax_t{64} << 20;

// A results folder's file opened to be read: a regular file (a link to a device, a pipe or a
// folder is refused, never opened: a FIFO would hang the read) of at most `most` bytes (`why_most`
// says why that is enough); else ResultsError, with the reason.
std::ifstream open_results_file(const std::filesystem::path& file, std::uintmax_t most,
                                const char* why_most);

RunResult read_results(const std::filesystem::path& dir);  // throws ResultsError

// A results folder as the user names it: the folder itself, or a folder of runs (results/NAME, or
// NAME under results/), of which the newest is meant (their names are UTC times, so they sort).
// Throws ResultsError if it is neither.
std::filesystem::path results_folder(const std::filesystem::path& given);
// The newest `n` runs in a folder of runs, oldest first (fewer if it has fewer; none if no folder).
std::vector<std::filesystem::path> newest_runs(const std::filesystem::path& runs, std::size_t n);

}  // namespace lab
