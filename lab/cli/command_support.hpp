#pragma once
// What the subcommands of `lab` share: exit codes, finding a scenario by name, the options of a
// load (`lab run`, `lab check`) and of the live view, and a run's folder said; how a run ends
// (`lab run`, `lab load`, `lab exercise check`) is run_output.hpp.
// Each subcommand has its own file (serve_command.cpp, ...), listed by commands.hpp.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lab/layout.hpp"
#include "lab/report/report.hpp"
#include "lab/target_url.hpp"
#include "lab/run/runner.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// How every command ends: 1 is what was measured failing (a route held the loop, a claim broke,
// requests failed), 3 that nothing could be judged (a CI gate must not pass), 4 that the lab could
// not run or write (a server died or never started, most requests got no answer, the results
// could not be written): what it printed was not all measured.
inline constexpr int exit_ok = 0, exit_failed = 1, exit_usage = 2, exit_nothing_judged = 3,
                     exit_could_not_run = 4;

// Says "WHO: WHY" on stderr (WHY may hold outside text: shown, never obeyed); returns `code`.
int said(std::string_view who, const std::string& why, int code = exit_usage);

// Finds a scenario by name (or by path to a .toml file) and applies the command line's overrides
// to it; on failure says why ("WHO: ...") and, for an unknown name, what exists.
std::optional<Scenario> find_scenario(const std::string& name, const Overrides& overrides,
                                      const char* who = "lab");

// Why a target URL may not be loaded, or "": it is not one, or its server is not on this machine
// and --allow-remote was not given (load goes to loopback only unless the user says otherwise).
std::string refused_target(const TargetUrl& target, bool allow_remote);

// An option that takes one of an enum's words (lab/named.hpp), turned into its value here, once;
// any other word is refused with the list of them.
template <Named E>
CLI::Option* one_of(CLI::Option* option) {
    const std::vector<std::string> names = all_names<E>();
    const std::string words = fmt::format("{}", fmt::join(names, ", "));
    return option->type_name("TEXT")->transform(CLI::Validator(
        [words](std::string& word) -> std::string {
            auto value = named<E>(word);
            if (!value) return "'" + word + "' is not one of: " + words;
            word = std::to_string(static_cast<int>(*value));  // what CLI11 reads an enum from
            return "";
        },
        fmt::format("{{{}}}", fmt::join(names, ","))));
}

// An option that takes a number from `low` to `high`, its default shown in --help.
template <class T>
CLI::Option* in_range(CLI::Option* option, T low, T high) {
    return option->check(CLI::Range(low, high))->capture_default_str();
}

// An address to listen on: localhost, or numbers ("127.0.0.1", "0.0.0.0", "::1"); anything else
// is refused with exit 2 before a server or page starts.
extern const CLI::Validator listen_address;

// Runs a command's action; what it throws is said as "NAME: reason", with exit 2 for `Refused`
// (the input was wrong: a damaged folder, a bad URL) and `otherwise` (1) for anything else.
template <class Refused, class Action>
int said_on_failure(const char* name, Action action, int otherwise = exit_failed) {
    try {
        return action();
    } catch (const Refused& e) { return said(name, e.what()); } catch (const std::exception& e) {
        return said(name, e.what(), otherwise);
    }
}

// Whether a run's folder can be written under `out` (lab/results/writer.hpp), asked before the
// run so that nothing is measured to be lost; when not, says why as "COMMAND: ..." (exit 2).
bool results_writable(const char* command, const std::filesystem::path& out,
                      const std::string& scenario_name);

// Writes a run's folder (`write` returns where it went) and says where it and its page are; false,
// said as "WHO: could not write results: ...", when it cannot.
bool folder_written(const char* who, const std::function<std::filesystem::path()>& write);

// The options `lab run` and `lab check` share: what a scenario's load and servers become.
void declare_overrides(CLI::App& app, Overrides& overrides);

// --with-fastapi and its companions, which `lab run` and `lab check` share: whether each row gets
// its real FastAPI twin, on which loop and under which ASGI server.
struct TwinOptions {
    bool with_fastapi = false, uvloop = false;
    std::string asgi_server = "uvicorn";
};
void declare_twins(CLI::App& app, TwinOptions& twins, const std::string& with_fastapi_help);
// The scenario with its FastAPI twins if --with-fastapi asked for them, else as it is.
Scenario twinned(Scenario scenario, const TwinOptions& twins);

// --live, --live-port and --live-host, which `lab serve`, `lab run` and `lab load` share: a page
// on 127.0.0.1 (or --live-host) that draws each request as it goes.
struct LiveOptions {
    bool live = false;
    std::string live_host = "127.0.0.1";
    std::uint16_t live_port = 0;
    // `bar`: what each request's bar shows ("as it runs"). Returns --live's flag.
    CLI::Option* declare_live(CLI::App& app, const std::string& bar);
};

// --wide, which every command that prints a table takes.
void declare_wide(CLI::App& app, bool& wide);

// `lab diff A B` (and `lab report A B`, which is it): two results folders compared in the
// terminal (or Markdown), and as a page at `page` unless it is empty; a change under
// `matters_pct` % of A is no change that matters.
int print_run_diff(const std::filesystem::path& a_dir, const std::filesystem::path& b_dir,
                   bool markdown, const Layout& layout, const std::filesystem::path& page,
                   double matters_pct = 5);

}  // namespace lab
