#pragma once
// A run's files: results/<scenario>/<UTC time>/requests.csv and summary.json. The folder is
// written under a temporary name and renamed into place, so a reader never sees half of it,
// and an existing run is never overwritten.
#include <filesystem>

#include "lab/run/run_result.hpp"

namespace lab {

std::filesystem::path write_results(const RunResult& run, const std::filesystem::path& out_root);

// Replaces `path` whole (a temporary file renamed over it), so a reader never sees half of it.
void replace_file(const std::filesystem::path& path, const std::string& text);

// One row per request per batch, as results/README.md documents.
std::string requests_csv(const RunResult& run);

}  // namespace lab
