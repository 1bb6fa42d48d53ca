#pragma once
// How `lab run` and `lab load` end: the table on stdout, the files, the exit code, and the live
// page that follows the run (its options are LiveOptions, command_support.hpp).
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "lab/cli/command_support.hpp"

namespace lab {

// How `lab run` and `lab load` end: the table on stdout, the files, the exit code.
struct Output : LiveOptions {
    std::filesystem::path out = "results";
    Format format = Format::table;
    bool quiet = false;
    bool wide = false;
    bool let_cpus_sleep = false;  // --let-cpus-sleep: measure with the machine's deep idle states
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
// What the live page is told as a configuration ends (`so_far`'s last): its row of the table, the
// table's footnote, and the guessed figure as measured.
void publish_configuration_done(LiveHub& hub, const RunResult& so_far);
// The lesson's choices, judged by the run, for the live page's end (--predict, --predict-page).
nlohmann::json live_choices(const RunResult& run);

}  // namespace lab
