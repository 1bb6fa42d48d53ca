#include "lab/cli/command_support.hpp"

#include <charconv>
#include <cmath>
#include <iostream>

#include "lab/figures/figure_value.hpp"
#include "lab/figures/load_figures.hpp"
#include "lab/target_url.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/predictions.hpp"
#include "lab/report/report.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/results/writer.hpp"
#include "lab/run/progress.hpp"
#include "lab/run/server_process.hpp"
#include "lab/live/live_hub.hpp"
#include "lab/scenario/sweep.hpp"
#include "lab/run/your_app.hpp"

namespace lab {

const CLI::Validator listen_address(
    [](std::string& text) -> std::string {
        auto host = numeric_host(text);
        if (!host)
            return "'" + text.substr(0, 60) +
                   "' is not an address (localhost, or numbers such as 127.0.0.1, 0.0.0.0 or ::1)";
        text = host->address;  // what the server and the live view bind
        return "";
    },
    "ADDRESS");

namespace {

// What CLI11 would read `text` as, when that is NaN or an infinity: "--rate: 'nan' is not a
// finite number". (Anything else passes on, to the option's own conversion and range.)
const CLI::Validator finite_number(
    [](std::string& text) -> std::string {
        double value = 0;
        if (CLI::detail::lexical_cast(text, value) && !std::isfinite(value))
            return "'" + text.substr(0, 40) + "' is not a finite number";
        return "";
    },
    "");

}  // namespace

void refuse_non_finite_numbers(CLI::App& app) {
    for (CLI::Option* option : app.get_options())
        if (option->get_type_name().starts_with("FLOAT")) option->check(finite_number);
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
        refuse_non_finite_numbers(*sub);
}

namespace fs = std::filesystem;

int said(std::string_view who, const std::string& why, int code) {
    std::cerr << who << ": " << printable(why, true) << '\n';
    return code;
}

namespace {

// The scenario file by name (or a .toml file), as it is written.
std::optional<Scenario> scenario_named(const std::string& name) {
    try {
        if (name.ends_with(".toml")) return load_scenario(name);
        std::vector<std::string> known;
        for (const fs::path& file : scenario_files(scenario_dir())) {
            if (file.stem() == name) return load_scenario(file);
            known.push_back(file.stem().string());
        }
        std::cerr << "lab: unknown scenario '" << name << "'";
        if (!known.empty()) std::cerr << "; did you mean '" << closest_name(name, known) << "'?";
        std::cerr << "\nscenarios in " << scenario_dir().string() << ":";
        for (const auto& k : known) std::cerr << ' ' << k;
        std::cerr << '\n';
    } catch (const ScenarioError& e) { said("lab: bad scenario file", e.what()); }
    return std::nullopt;
}

}  // namespace

std::optional<Scenario> find_scenario(const std::string& name, const Overrides& overrides,
                                      const char* who) {
    auto found = scenario_named(name);
    try {
        if (found) return apply(*found, overrides);
    } catch (const std::invalid_argument& e) { said(who, e.what()); }
    return std::nullopt;
}

std::string refused_target(const TargetUrl& target, bool allow_remote) {
    if (!target.error.empty() || target.loopback || allow_remote) return target.error;
    return target.host +
           " is not on this machine; load goes to loopback only unless you pass --allow-remote";
}

// A numeric option that takes one value, or a list that sweeps it ("--threads 10,40,100"); only
// one option may take a list.
// (One word on the command line, split here: an option that took several words would swallow
// the scenario's name in `lab run --threads 10 thread-pool`.)
void sweepable(CLI::App& app, Overrides& overrides, const char* name, std::optional<int>& single,
               const char* what) {
    const SweepOption& option = *find_sweep_option(name + 2);
    const std::string flag = name;
    app.add_option_function<std::string>(
           name,
           [&overrides, &single, &option, flag](const std::string& text) {
               std::vector<int> values;
               std::size_t at = 0;
               do {
                   std::size_t comma = std::min(text.find(',', at), text.size());
                   std::string one = text.substr(at, comma - at);
                   int value = 0;
                   auto [end, ec] = std::from_chars(one.data(), one.data() + one.size(), value);
                   if (one.empty() || ec != std::errc() || end != one.data() + one.size())
                       throw CLI::ValidationError(
                           flag, "'" + one + "' is not a whole number (a list is 1,2,5)");
                   if (value < option.low || value > option.high)
                       throw CLI::ValidationError(flag, std::to_string(value) + " is not in [" +
                                                            std::to_string(option.low) + " - " +
                                                            std::to_string(option.high) + "]");
                   values.push_back(value);
                   at = comma + 1;
               } while (at <= text.size());
               if (values.size() == 1) {
                   single = values.front();
                   return;
               }
               if (overrides.sweep)
                   throw CLI::ValidationError(flag, "a run sweeps one option; --" +
                                                        overrides.sweep->option +
                                                        " already takes a list");
               overrides.sweep = Sweep{option.name, values};
           },
           std::string(what) + "; a list (1,2,5) sweeps it")
        ->type_name("INT[,INT...]");
}

void declare_twins(CLI::App& app, TwinOptions& twins, const std::string& with_fastapi_help) {
    app.add_flag("--with-fastapi", twins.with_fastapi, with_fastapi_help);
    app.add_flag("--uvloop", twins.uvloop,
                 "--with-fastapi: the twins run on uvloop (python3-uvloop), not asyncio's loop")
        ->needs("--with-fastapi");
    app.add_option("--asgi-server", twins.asgi_server,
                   "--with-fastapi: the ASGI server of the single-process twins (worker rows stay "
                   "gunicorn's)")
        ->check(CLI::IsMember(asgi_servers))
        ->needs("--with-fastapi")
        ->capture_default_str();
}

Scenario twinned(Scenario scenario, const TwinOptions& twins) {
    if (!twins.with_fastapi) return scenario;
    return with_fastapi(std::move(scenario), twins.uvloop, *named<TwinServer>(twins.asgi_server));
}

void declare_overrides(CLI::App& app, Overrides& overrides) {
    sweepable(app, overrides, "--requests", overrides.requests, "Requests per batch, N");
    sweepable(app, overrides, "--concurrency", overrides.concurrency, "Connections at once, C");
    sweepable(app, overrides, "--delay", overrides.delay_ms, "Each request's wait d, in ms");
    app.add_option("--repeat", overrides.repeat, "Measured batches, after one warm-up")
        ->check(CLI::Range(1, 100));
    sweepable(app, overrides, "--threads", overrides.threads, "thread-pool size T");
    sweepable(app, overrides, "--workers", overrides.workers, "multi-process workers W");
    one_of<Balance>(app.add_option("--balance", overrides.balance,
                                   "multi-process: how workers share the port"));
    app.add_option("--only", overrides.only,
                   "Run one configuration: its label, or its number from 1 (see `lab show`)");
    sweepable(app, overrides, "--db-pool", overrides.db_pool,
              "/db: connections to PostgreSQL per server process, P");
    app.add_option(
        "--database-url", overrides.database_url,
        "/db: query this PostgreSQL (postgresql://...) instead of a cluster of the lab's own");
    app.add_option(
        "--redis-url", overrides.redis_url,
        "/cache: ask this Redis (unix:///PATH or redis://IP:PORT) instead of one of the lab's own");
    app.add_option("--downstream-url", overrides.downstream_url,
                   "/fetch: call this server's /delay (http://IP:PORT) instead of a lab serve of "
                   "the lab's own");
}

CLI::Option* LiveOptions::declare_live(CLI::App& app, const std::string& bar) {
    CLI::Option* flag = app.add_flag(
        "--live", live,
        "Serve a live view on 127.0.0.1, or --live-host (its URL printed first): each request a "
        "bar " +
            bar);
    app.add_option("--live-port", live_port, "--live: the page's port (0: a free one)")
        ->capture_default_str();
    app.add_option("--live-host", live_host,
                   "--live: the address the page listens on (0.0.0.0 in a container, for the "
                   "host's browser)")
        ->transform(listen_address)
        ->needs(flag)
        ->capture_default_str();
    return flag;
}

void declare_wide(CLI::App& app, bool& wide) {
    app.add_flag("--wide", wide, "Every column and whole labels, however wide the terminal");
}

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

// What the live page is told before the run: the title, the load, and each configuration with
// its model's makespan, so that every lane shares one time axis from the first request.
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

namespace {

// "(requests.csv: 41.3 MB)" when every request a run keeps adds up to much (a long `lab load -z`).
std::string kept_size(const fs::path& csv) {
    std::error_code ec;
    auto bytes = fs::file_size(csv, ec);
    if (ec || bytes < 1'000'000) return "";
    return " (requests.csv: " + fixed(static_cast<double>(bytes) / 1e6, 1) + " MB)";
}

}  // namespace

Layout Output::layout() const {
    return {terminal_columns(), wide, format == Format::table && colour_wanted()};
}

bool folder_written(const char* who, const std::function<fs::path()>& write) {
    try {
        const fs::path dir = write();
        std::cerr << "results: " << printable(dir.string()) << kept_size(dir / "requests.csv")
                  << "\nreport:  " << printable((dir / "report.html").string()) << '\n';
        return true;
    } catch (const std::exception& e) {
        said(std::string(who) + ": could not write results", e.what());
        return false;
    }
}

bool results_writable(const char* command, const std::filesystem::path& out,
                      const std::string& scenario_name) {
    try {
        check_results_writable(out, scenario_name);
        return true;
    } catch (const ResultsUnwritable& e) {
        std::cerr << command << ": " << e.what() << " (choose another --out; nothing was run)\n";
        return false;
    }
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
        const auto rows = table_rows(so_far);
        const std::size_t last = so_far.configurations.size() - 1;
        if (last == 0) hub->publish({{"type", "columns"}, {"names", rows.front()}});
        hub->publish({{"type", "row"}, {"c", last}, {"cells", rows.back()}});
        if (std::string note = below_floor_note(so_far); !note.empty())
            hub->publish({{"type", "footnote"}, {"text", note}});
        // the guessed figure as measured, beside the guess drawn before the run
        if (has_guesses(so_far))
            if (auto measured = judged_guesses(so_far).back().measured)
                hub->publish({{"type", "measured"}, {"c", last}, {"value", *measured}});
    };
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
        const Estimate expected = estimate(scenario);
        progress.expect(expected.seconds, expected.measured);
    }
    RunSettings settings{this_executable(), &progress, where.database_url.value_or(""),
                         where.downstream_url.value_or(""), where.redis_url.value_or("")};
    settings.keep_cpus_awake = !let_cpus_sleep;
    if (hub) follow_live(scenario, settings);
    RunResult run;
    try {
        settings.measure = measure_last_row;
        run = run_scenario(scenario, settings);
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
