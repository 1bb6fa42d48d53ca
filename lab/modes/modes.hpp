#pragma once
// The four concurrency modes by name: what `lab serve --mode` accepts and what each one means.
#include <span>
#include <string_view>

#include "lab/server/serve_options.hpp"

namespace lab {

struct ModeInfo {
    std::string_view name;
    std::string_view summary;        // one line for --help and `lab show`
    std::string_view document_term;  // the same idea in the documents' FastAPI terms
};

std::span<const ModeInfo> all_modes();
const ModeInfo* find_mode(std::string_view name);
bool is_loop_mode(std::string_view name);  // the modes a multi-process worker can run

// Runs `lab serve` in options.mode until the process is stopped. Returns an exit code.
int serve_mode(const ServeOptions& options);

}  // namespace lab
