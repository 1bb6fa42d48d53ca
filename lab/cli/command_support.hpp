#pragma once
// What the subcommands of `lab` share: exit codes, finding a scenario by name, the options of a
// load (`lab run`, `lab check`) and how a run ends (`lab run`, `lab load`, `lab exercise check`).
// Each subcommand has a file of its own (serve_command.cpp, run_command.cpp, ...), listed by
// commands.hpp.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lab/layout.hpp"
#include "lab/report/report.hpp"
#include "lab/run/runner.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// How every command ends: 1 is what was measured failing (a route held the loop, a claim broke,
// requests failed), 3 that nothing could be judged (a CI gate must not pass), 4 that the lab could
// not run or write (a server died or never started, most requests got no answer, the results
// could not be written): what it printed was not all measured.
inline constexpr int exit_ok = 0, exit_failed = 1, exit_usage = 2, exit_nothing_judged = 3,
                     exit_could_not_run = 4;

// Finds a scenario by name (or by path to a .toml file); on failure says why and what exists.
std::optional<Scenario> find_scenario(const std::string& name);

// An option that takes one of an enum's words (lab/named.hpp), turned into its value here, once;
// any other word is refused with the list of them.
template <Named E>
CLI::Option* one_of(CLI::Option* option) {
    std::string words, set;
    for (const std::string& word : all_names<E>()) {
        words += (words.empty() ? "" : ", ") + word;
        set += (set.empty() ? "{" : ",") + word;
    }
    return option->type_name("TEXT")->transform(CLI::Validator(
        [words](std::string& word) -> std::string {
            auto value = named<E>(word);
            if (!value) return "'" + word + "' is not one of: " + words;
            word = std::to_string(static_cast<int>(*value));  // what CLI11 reads an enum from
            return "";
        },
        set + "}"));
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
    } catch (const Refused&
                 e) {  // (what a folder or a file held may be in the reason: shown, never obeyed)
        std::cerr << name << ": " << printable(e.what(), true) << '\n';
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << name << ": " << printable(e.what(), true) << '\n';
        return otherwise;
    }
}

// Whether a run's folder can be written under `out` (lab/results/writer.hpp), asked before the
// run so that nothing is measured to be lost; when not, says why as "COMMAND: ..." (exit 2).
bool results_writable(const char* command, const std::filesystem::path& out,
                      const std::string& scenario_name);

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

// How `lab run` and `lab load` end: the table on stdout, the files, the exit code.
struct Output {
    std::filesystem::path out = "results";
    Format format = Format::table;
    bool quiet = false;
    bool wide = false;
    bool let_cpus_sleep = false;  // --let-cpus-sleep: measure with the machine's deep idle states
    bool live = false;  // --live: a page on 127.0.0.1 (or --live-host) draws the run as it goes
    std::string live_host = "127.0.0.1";
    std::uint16_t live_port = 0;
    int live_wait_s = 10;  // how long the run waits for the page to open before it starts
    // --slow N: the page replays each batch N times slower (lab/live/live_page.html)
    double slow = 1;
    // --predict-page: Enter on the terminal starts the run (the one rule), not the page
    bool enter_starts = false;
    std::shared_ptr<LiveHub> hub;

    void declare(CLI::App& app);
    // With --live: starts the live view and prints its URL (once); false if it cannot listen.
    bool open_live();
    void follow_live(const Scenario& scenario, RunSettings& settings);
    // The terminal's width (COLUMNS, else the terminal's, else 100), and colour when a person
    // watches.
    Layout layout() const;
    // `kept`, if given, gets the run (e.g. for an exercise's grade).
    int run_and_report(const Scenario& scenario, const Overrides& where = {},
                       RunResult* kept = nullptr);
};

// What the live page is told before a run (or a replay): the title, the load, each configuration
// with its model's makespan.
nlohmann::json live_plan(const Scenario& scenario);

// `lab diff A B` (and `lab report A B`, which is it): two results folders compared in the
// terminal (or Markdown), and as a page at `page` unless it is empty.
int print_run_diff(const std::filesystem::path& a_dir, const std::filesystem::path& b_dir,
                   bool markdown, const Layout& layout, const std::filesystem::path& page);

}  // namespace lab
