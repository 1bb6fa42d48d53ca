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

// Every floating-point option of `app` and of its subcommands, at any depth, refuses NaN and the
// infinities with exit 2 (CLI11's ranges let NaN through: every comparison with it is false).
// Called once on the whole command line, so an option added later is covered too. (CLI11 names
// a floating option's type FLOAT: such options keep that name.)
void refuse_non_finite_numbers(CLI::App& app);

}  // namespace lab
