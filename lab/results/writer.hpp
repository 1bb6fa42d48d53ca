#pragma once
// A run's files: results/<scenario>/<UTC time>/requests.csv, summary.json, server.log, and the
// pages its caller rendered (report.html, from lab/report). The folder is written under a
// temporary name and renamed into place, so a reader never sees half of it, and an existing run
// is never overwritten.
#include <filesystem>
#include <string>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

// A file the run's folder holds beside its records: its name and its whole text.
struct RenderedFile {
    std::string name;
    std::string text;
};

std::filesystem::path write_results(const RunResult& run, const std::filesystem::path& out_root,
                                    const std::vector<RenderedFile>& rendered = {});

// Replaces `path` whole (a temporary file renamed over it), so a reader never sees half of it.
void replace_file(const std::filesystem::path& path, const std::string& text);

// One row per request per batch, as results/README.md documents.
std::string requests_csv(const RunResult& run);

}  // namespace lab
