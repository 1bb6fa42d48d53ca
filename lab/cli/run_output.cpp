// How `lab run` and `lab load` end (Output, run_output.hpp): the live page told the plan and fed as
// the run goes, the table on stdout, the folder written, and the exit code said.
#include "lab/cli/run_output.hpp"

#include <iostream>

#include "lab/figures/figure_value.hpp"
#include "lab/figures/load_figures.hpp"
#include "lab/live/live_hub.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/predictions.hpp"
#include "lab/results/writer.hpp"
#include "lab/run/your_app.hpp"

namespace lab {

namespace fs = std::filesystem;

void Output::declare(CLI::App& app) {
    app.add_option("--out", out, "Folder for results")->capture_default_str();
    one_of<Format>(app.add_option("--format", format, "Output format"))->default_str("table");
    app.add_flag("--quiet", quiet,
                 "No progress on stderr, and `lab run` prints no lesson paragraph");
    declare_wide(app, wide);
    app.add_flag("--let-cpus-sleep", let_cpus_sleep,
                 "Let idle CPUs sleep deeply while it measures (by default, as root, they are kept "
                 "awake: wake-ups cost less)");
    CLI::Option* live_flag = declare_live(app, "as it runs");
    app.add_option("--live-wait", live_wait_s,
                   "--live: seconds to wait for the page to open before the run starts (with "
                   "--predict-page, Enter starts it)")
        ->check(CLI::Range(0, 600))
        ->capture_default_str();
    app.add_option("--slow", slow,
                   "--live: the page replays each batch N times slower right after it is measured "
                   "(the measurement is not slowed)")
        ->check(CLI::Range(1.0, 200.0))
        ->needs(live_flag);
}

bool Output::open_live() {
    if (!live || hub) return true;
    try {
        hub = std::make_shared<LiveHub>(live_port, live_host);
    } catch (const std::exception& e) {
        said("lab", e.what());
        return false;
    }
    // (before the plan: the page holds what follows)
    if (slow > 1) hub->publish({{"type", "replay"}, {"slow", slow}});
    std::cerr << "live view: " << hub->url()
              << (enter_starts
                      ? "  (open it on the projector; the run starts when you press Enter here)\n"
                      : "  (open it; the run starts when it connects, or in " +
                            std::to_string(live_wait_s) + " s)\n");
    return true;
}

// (Each configuration's makespan, so that every lane shares one time axis from the first request.)
nlohmann::json live_plan(const Scenario& scenario) {
    RunResult empty{scenario, {}};
    nlohmann::json configurations = nlohmann::json::array();
    double axis = 0;
    bool guessed = false;
    for (const Configuration& c : scenario.configurations) {
        guessed = guessed || c.guessed();
        const Load own = load_of(scenario.load, c);
        const double model_s = c.server == Server::external ? 0 : planned(c, scenario.load).model_s;
        axis = std::max(axis, model_s);
        nlohmann::json lane{
            {"label", c.label}, {"model_s", model_s}, {"requests", planned_requests(own)}};
        // (--predict: drawn as an outlined bar before the run)
        if (c.guess) lane["guess"] = *c.guess;
        // (--predict-page: a tick each, the median marked)
        if (!c.room_guesses.empty()) {
            lane["room"] = c.room_guesses;
            lane["room_median"] = room_spread(c.room_guesses, std::nullopt, "").median;
        }
        configurations.push_back(lane);
    }
    nlohmann::json plan{{"type", "plan"},
                        {"title", scenario.title},
                        {"load", load_line(empty)},
                        {"drawn", live_drawn_requests},
                        {"configurations", configurations},
                        {"axis_s", axis > 0 ? axis * 1.15 : 0.1}};
    // (the page's row of them)
    if (!scenario.load.probe_path.empty()) plan["probe"] = "GET " + scenario.load.probe_path;
    if (const std::optional<Figure> figure = guessed_figure(scenario.key_figure); figure && guessed)
        plan["guessed"] = {{"figure", name_of(*figure)},
                           {"what", guessed_what(scenario)},
                           {"unit", info(*figure).unit},
                           {"digits", info(*figure).digits}};
    return plan;
}

Layout Output::layout() const {
    return {terminal_columns(), wide, format == Format::table && colour_wanted()};
}

// The live page follows the run: its plan first (once a page is open, unless Enter started it),
// then each configuration's row, footnote and measured guess as it ends.
void Output::follow_live(const Scenario& scenario, RunSettings& settings) {
    hub->publish(live_plan(scenario));
    // (with Enter, the teacher saw the page)
    if (!enter_starts && !hub->wait_for_viewer(std::chrono::seconds(live_wait_s)))
        std::cerr << "live view: no page connected within " << live_wait_s
                  << " s; the run starts (a page opened later replays it)\n";
    settings.live = hub.get();
    settings.on_configuration_done = [this](const RunResult& so_far) {
        publish_configuration_done(*hub, so_far);
    };
}

void publish_configuration_done(LiveHub& hub, const RunResult& so_far) {
    const auto rows = table_rows(so_far);
    const std::size_t last = so_far.configurations.size() - 1;
    if (last == 0) hub.publish({{"type", "columns"}, {"names", rows.front()}});
    hub.publish({{"type", "row"}, {"c", last}, {"cells", rows.back()}});
    if (std::string note = below_floor_note(so_far); !note.empty())
        hub.publish({{"type", "footnote"}, {"text", note}});
    // the guessed figure as measured, beside the guess drawn before the run
    if (has_guesses(so_far))
        if (auto measured = judged_guesses(so_far).back().measured)
            hub.publish({{"type", "measured"}, {"c", last}, {"value", *measured}});
}

// (As the terminal says them, without the evidence the table above it shows.)
nlohmann::json live_choices(const RunResult& run) {
    nlohmann::json items = nlohmann::json::array();
    for (const JudgedChoice& j : judged_choices(run))
        items.push_back({{"mark", outcome_mark(j.outcome)},
                         {"text", j.claim},
                         {"who", j.who},
                         {"misconception", j.misconception}});
    return {{"type", "choices"}, {"items", std::move(items)}};
}

namespace {

// The run's exit status, said on stderr: what failed, by kind, as the summary counts it.
int said_how_it_ended(const RunResult& run) {
    if (const std::string failed = run.failure(); !failed.empty())
        return said("lab: the run failed", failed, exit_could_not_run);
    if (run.ok()) return exit_ok;
    if (is_external_load(run)) {
        const Tally& all = run.load_figures.all;
        std::cerr << "lab load: " << all.failed << " of " << all.requests
                  << " requests failed (see Errors above)\n";
    } else {
        std::cerr << "lab: some requests failed (see above)\n";
    }
    return exit_failed;
}

}  // namespace

int Output::run_and_report(const Scenario& scenario, const Overrides& where, RunResult* kept) {
    if (!results_writable("lab", out, scenario.name)) return exit_usage;
    stop_servers_on_signals();
    if (!open_live()) return exit_failed;
    Progress progress(Progress::style_for_stderr(quiet));
    // A lesson's time is known before it runs; `lab load`'s and `lab doctor`'s are their target's.
    if (scenario.kind == RunKind::lesson) {
        const Estimate e = estimate(scenario);
        progress.expect(e.seconds, e.measured, e.one_after_another_s);
    }
    RunSettings settings{this_executable(), &progress, where.database_url.value_or(""),
                         where.downstream_url.value_or(""), where.redis_url.value_or("")};
    settings.keep_cpus_awake = !let_cpus_sleep;
    if (hub) follow_live(scenario, settings);
    RunResult run;
    try {
        settings.measure = measure_last_row;
        run = run_scenario(scenario, settings);
        if (hub && has_picks(run.scenario)) hub->publish(live_choices(run));
        if (hub) hub->publish({{"type", "done"}});
    } catch (const AppWontStart& e) {
        // a student's app that cannot be served: bad input, before any load
        std::cerr << "lab: " << printable(e.what()) << '\n';
        return exit_usage;
    } catch (const std::runtime_error& e) {  // a service the scenario needs could not start
        return said("lab", e.what(), exit_could_not_run);
    }
    print_run(std::cout, run, format, layout());
    std::cout.flush();
    if (!folder_written("lab", [&] {
            return write_results(run, out, {{.name = "report.html", .text = html_report(run)}});
        }))
        return exit_could_not_run;
    const int status = said_how_it_ended(run);
    if (kept) *kept = std::move(run);
    return status;
}

}  // namespace lab
