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

// Each in its own file, NAME_command.cpp (list: show_command.cpp).
Action define_serve(CLI::App& app);
Action define_run(CLI::App& app);
Action define_load(CLI::App& app);
Action define_report(CLI::App& app);
Action define_list(CLI::App& app);
Action define_show(CLI::App& app);
Action define_check(CLI::App& app);
Action define_worker(CLI::App& app);
Action define_exercise(CLI::App& app);
Action define_doctor(CLI::App& app);
Action define_diff(CLI::App& app);
Action define_replay(CLI::App& app);

// Every floating-point option of `app` and of its subcommands, at any depth, refuses NaN and the
// infinities with exit 2 (CLI11's ranges let NaN through: every comparison with it is false).
// Called once on the whole command line, so an option added later is covered too. (CLI11 names
// a floating option's type FLOAT: such options keep that name.)
void refuse_non_finite_numbers(CLI::App& app);

}  // namespace lab
