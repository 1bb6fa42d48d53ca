#pragma once
// `lab`'s subcommands, one table row each: its name, what it does, and how it reads its options.
#include <functional>
#include <span>
#include <string_view>

#include <CLI/CLI.hpp>

namespace lab {

// Declares a subcommand's options on `app` and returns what to run once they are parsed.
using Action = std::function<int()>;

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    Action (*define)(CLI::App& app);
};

std::span<const Subcommand> subcommands();

}  // namespace lab
