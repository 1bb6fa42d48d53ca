#pragma once
// A run's files: results/<scenario>/<UTC time>/requests.csv, summary.json, server.log, and the
// pages its caller rendered (report.html, from lab/report). The folder is written under a
// temporary name and renamed into place, so a reader never sees half of it, and an existing run
// is never overwritten.
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

// A file the run's folder holds beside its records: its name and its whole text.
struct RenderedFile {
    std::string name, text;
};

std::filesystem::path write_results(const RunResult& run, const std::filesystem::path& out_root,
                                    const std::vector<RenderedFile>& rendered = {});

// Any product's folder: out_root/name/<UTC time>/ holding `files(time)`, written under a hidden
// name and renamed into place (a taken name gets "-002", never overwritten).
std::filesystem::path write_run_folder(
    const std::filesystem::path& out_root, const std::string& name,
    const std::function<std::vector<RenderedFile>(const std::string&)>& files);

// Whether a run of `scenario_name` can write its folder under `out_root` (made if missing): tried
// before the run, by making and removing a hidden folder where the run's will go, so that an
// unwritable --out is said before anything is measured, not after. Throws ResultsUnwritable.
struct ResultsUnwritable : std::runtime_error {
    using std::runtime_error::runtime_error;
};
void check_results_writable(const std::filesystem::path& out_root,
                            const std::string& scenario_name);

// Replaces `path` whole (a temporary file renamed over it), so a reader never sees half of it;
// a write that fails (a full disk) leaves no temporary file behind.
void replace_file(const std::filesystem::path& path, const std::string& text);

// A name `write_new_files` will not write over: a file, a folder or a link (even a dangling one).
struct NameTaken : std::runtime_error {
    explicit NameTaken(const std::filesystem::path& path)
        : std::runtime_error(path.string() + " already exists") {}
};

// Writes each file into `folder` only if none of their names is taken (else throws NameTaken and
// writes nothing). Each is written whole under a hidden name first and then renamed, never over
// anything and never through a link, so a full disk or a failure part way leaves nothing behind.
void write_new_files(const std::filesystem::path& folder, const std::vector<RenderedFile>& files);

// One row per request per batch, as results/README.md documents.
std::string requests_csv(const RunResult& run);

}  // namespace lab
