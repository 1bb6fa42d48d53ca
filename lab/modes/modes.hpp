#pragma once
// The concurrency modes, one registry: each mode's name, what it means, which options it takes,
// how it is served and what its model predicts are looked up here, never compared as strings.
// Adding a mode touches its own file (lab/modes/NAME.cpp), a line of registry.cpp, its model.cpp.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lab/modes/model.hpp"
#include "lab/server/serve_options.hpp"

namespace lab {

struct ModeInfo {
    std::string_view name;
    std::string_view summary;  // one line for --help and `lab show`
    std::string_view document_term;  // the same idea in the documents' FastAPI terms
    // The reference app's route that does the same (lab/reference/apps.py)
    std::string_view fastapi_variant;
    bool takes_threads = false;  // --threads T applies
    bool takes_workers = false;  // --workers W, --balance and --worker-mode apply
    bool runs_in_a_worker = false;  // a single event loop: what each multi-process worker can run
    // What tells the requests apart in a timeline: thread | worker
    std::string_view served_by = "thread";
    // --explain: how a /delay waits here ("sleeps on the loop's thread: ...")
    std::string_view waits_how = "";
    Model (*model)(const ServerShape&) = nullptr;  // what this mode predicts (lab/modes/model.cpp)
};

// What a server of this shape predicts: its mode's K and formula, and what is around it.
Model model_of(const ServerShape& shape);

std::span<const ModeInfo> all_modes();
const ModeInfo* find_mode(std::string_view name);  // nullptr: not a lab mode (e.g. "external")
std::vector<std::string> mode_names(bool worker_modes_only = false);
// Whether the mode's requests are told apart by worker process (else by thread).
bool served_by_workers(std::string_view mode);

// "thread-pool T=40", "multi-process W=4 shared": the mode with the options that apply to it.
std::string mode_with_options(std::string_view mode, int threads, int workers, Balance balance);

// `lab serve` arguments for the mode and the options that apply to it.
std::vector<std::string> serve_arguments(std::string_view mode, int threads, int workers,
                                         Balance balance, std::string_view worker_mode);

// Runs `lab serve` in options.mode until the process is stopped. Returns an exit code.
int serve_mode(const ServeOptions& options);

}  // namespace lab
