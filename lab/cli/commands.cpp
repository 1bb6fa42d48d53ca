#include "lab/cli/commands.hpp"

#include <array>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "harness/models.hpp"
#include "harness/open_loop.hpp"
#include "lab/cli/target_url.hpp"
#include "lab/modes/modes.hpp"
#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"
#include "lab/report/claims.hpp"
#include "lab/report/figures.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/layout.hpp"
#include "lab/run/progress.hpp"
#include "lab/report/report.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"
#include "lab/run/runner.hpp"
#include "lab/run/scenario.hpp"
#include "lab/run/server_process.hpp"

namespace lab {
namespace fs = std::filesystem;
namespace {

constexpr int exit_ok = 0, exit_failed = 1, exit_usage = 2;

// Finds a scenario by name (or by path to a .toml file); on failure says why and what exists.
std::optional<Scenario> find_scenario(const std::string& name) {
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
    } catch (const ScenarioError& e) {
        std::cerr << "lab: bad scenario file: " << e.what() << '\n';
    }
    return std::nullopt;
}

Action define_serve(CLI::App& app) {
    auto o = std::make_shared<ServeOptions>();
    app.add_option("--mode", o->mode, "Concurrency mode")->required()->check(CLI::IsMember(mode_names()));
    app.add_option("--host", o->host, "Address to bind (loopback unless you say otherwise)")->capture_default_str();
    app.add_option("--port", o->port, "Port to listen on; 0 picks a free one")->capture_default_str();
    app.add_option("--threads", o->threads, "thread-pool: pool size T")->check(CLI::Range(1, 10'000))->capture_default_str();
    app.add_option("--workers", o->workers, "multi-process: worker processes W")->check(CLI::Range(1, 64))->capture_default_str();
    app.add_option("--balance", o->balance,
                   "multi-process: how workers share the port: shared (one socket, they race to accept), reuseport "
                   "(a socket each, the kernel hashes), round-robin (this process accepts and deals them in turn)")
        ->check(CLI::IsMember(balance_names()))->capture_default_str();
    app.add_option("--worker-mode", o->worker_mode, "multi-process: the loop each worker runs")
        ->check(CLI::IsMember(mode_names(true)))->capture_default_str();
    app.add_flag("--explain", o->explain, "Print one line per event: read by the loop (and whether it may have waited in its socket), started, done, answered, loop blocked");
    app.add_flag("--gil", o->gil, "Emulate Python's GIL: CPU work holds one process-wide lock");
    app.add_option("--idle-timeout-ms", o->idle_timeout_ms, "Close a connection that has not sent a whole request by then")
        ->check(CLI::Range(100, 600'000))->capture_default_str();
    auto private_database = std::make_shared<bool>(false);
    auto url = app.add_option("--database-url", o->database_url, "GET /db and /users/{id} query this PostgreSQL (postgresql://...)");
    app.add_flag("--private-database", *private_database,
                 "GET /db queries a PostgreSQL cluster of the lab's own, started now and deleted on exit")
        ->excludes(url);
    app.add_option("--db-pool", o->db_pool, "Connections to PostgreSQL per process, P")->check(CLI::Range(1, 100))->capture_default_str();
    app.add_option("--downstream-url", o->downstream_url, "GET /fetch calls this server's /delay (http://IP:PORT)");
    auto private_redis = std::make_shared<bool>(false);
    auto redis_url = app.add_option("--redis-url", o->redis_url, "GET /cache asks this Redis (unix:///PATH or redis://IP:PORT)");
    app.add_flag("--private-redis", *private_redis, "GET /cache asks a Redis of the lab's own, started now and deleted on exit")
        ->excludes(redis_url);
    app.add_option("--slow-ms", o->slow_ms, "Log handlers that hold the loop this long")
        ->check(CLI::Range(1, 60'000))->capture_default_str();
    app.footer("Endpoints: GET / | GET|POST /delay?ms=N (wait N ms; 0..60000, default 100) | "
               "GET|POST /cpu?ms=N (compute N ms of CPU) | GET|POST /db?ms=N (PostgreSQL sleeps N ms) | "
               "GET /users/{id} (a row of PostgreSQL's users table, ids 1..1000) | "
               "GET|POST /fetch?ms=N (a downstream server answers after N ms) | "
               "GET|POST /cache[?ms=N] (a Redis GET, or a BLPOP that waits N ms) | "
               "GET /health | GET /stats[?reset=1]");
    return [o, private_database, private_redis] {
        try {
            // Services of its own, stopped and deleted however this process ends (their keepers).
            std::optional<PrivatePostgres> own_database;
            std::optional<PrivateRedis> own_redis;
            if (*private_database) {
                own_database.emplace();
                o->database_url = own_database->url();
                std::cerr << "lab serve: PostgreSQL of its own in " << own_database->folder().string() << " (started in "
                          << fixed(own_database->start_seconds(), 2) << " s)\n";
            }
            if (*private_redis) {
                own_redis.emplace();
                o->redis_url = own_redis->url();
                std::cerr << "lab serve: Redis of its own in " << own_redis->folder().string() << " (started in "
                          << fixed(own_redis->start_seconds() * 1000, 0) << " ms)\n";
            }
            return serve_mode(*o);
        } catch (const std::exception& e) {
            std::cerr << "lab serve: " << e.what() << '\n';
            return exit_failed;
        }
    };
}

// How `lab run` and `lab load` end: the table on stdout, the files, the exit code.
struct Output {
    fs::path out = "results";
    std::string format = "table";
    bool quiet = false;
    bool wide = false;

    void declare(CLI::App& app) {
        app.add_option("--out", out, "Folder for results")->capture_default_str();
        app.add_option("--format", format, "Output format")
            ->check(CLI::IsMember({"table", "json", "csv", "markdown"}))->capture_default_str();
        app.add_flag("--quiet", quiet, "No progress on stderr, and `lab run` prints no lesson paragraph");
        app.add_flag("--wide", wide, "Every column and whole labels, however wide the terminal");
    }

    // The terminal's width (COLUMNS, else the terminal's, else 100), and colour when a person watches.
    Layout layout() const { return {terminal_columns(), wide, format == "table" && colour_wanted()}; }

    int run_and_report(const Scenario& scenario, const Overrides& where = {}) const {
        stop_servers_on_signals();
        Progress progress(Progress::style_for_stderr(quiet));
        RunResult run;
        try {
            run = run_scenario(scenario, {this_executable(), &progress, where.database_url.value_or(""),
                                          where.downstream_url.value_or(""), where.redis_url.value_or("")});
        } catch (const std::runtime_error& e) {  // a service the scenario needs could not start
            std::cerr << "lab: " << e.what() << '\n';
            return exit_failed;
        }
        Format f = format == "json" ? Format::json : format == "csv" ? Format::csv
                 : format == "markdown" ? Format::markdown : Format::table;
        print_report(std::cout, run, f, layout());
        std::cout.flush();
        try {
            fs::path dir = write_results(run, out);
            std::cerr << "results: " << dir.string() << "\nreport:  " << (dir / "report.html").string() << '\n';
        } catch (const std::exception& e) {
            std::cerr << "lab: could not write results: " << e.what() << '\n';
            return exit_failed;
        }
        if (!run.ok()) std::cerr << "lab: some servers did not start or some requests failed (see above)\n";
        return run.ok() ? exit_ok : exit_failed;
    }
};

// The options `lab run` and `lab check` share: what a scenario's load and servers become.
void declare_overrides(CLI::App& app, Overrides& overrides) {
    app.add_option("--requests", overrides.requests, "Requests per batch, N")->check(CLI::Range(1, 10'000));
    app.add_option("--concurrency", overrides.concurrency, "Connections at once, C")->check(CLI::Range(1, 10'000));
    app.add_option("--delay", overrides.delay_ms, "Each request's wait d, in ms")->check(CLI::Range(0, 60'000));
    app.add_option("--repeat", overrides.repeat, "Measured batches, after one warm-up")->check(CLI::Range(1, 100));
    app.add_option("--threads", overrides.threads, "thread-pool size T")->check(CLI::Range(1, 10'000));
    app.add_option("--workers", overrides.workers, "multi-process workers W")->check(CLI::Range(1, 64));
    app.add_option("--balance", overrides.balance, "multi-process: how workers share the port")
        ->check(CLI::IsMember(balance_names()));
    app.add_option("--only", overrides.only, "Run one configuration: its label, or its number from 1 (see `lab show`)");
    app.add_option("--db-pool", overrides.db_pool, "/db: connections to PostgreSQL per server process, P")->check(CLI::Range(1, 100));
    app.add_option("--database-url", overrides.database_url,
                   "/db: query this PostgreSQL (postgresql://...) instead of a cluster of the lab's own");
    app.add_option("--redis-url", overrides.redis_url,
                   "/cache: ask this Redis (unix:///PATH or redis://IP:PORT) instead of one of the lab's own");
    app.add_option("--downstream-url", overrides.downstream_url,
                   "/fetch: call this server's /delay (http://IP:PORT) instead of a lab serve of the lab's own");
}

Action define_run(CLI::App& app) {
    struct Options {
        std::string name;
        Overrides overrides;
        bool with_fastapi = false;
        Output output;
    };
    auto o = std::make_shared<Options>();
    app.add_option("scenario", o->name, "Scenario name (see `lab list`) or a .toml file")->required();
    declare_overrides(app, o->overrides);
    app.add_flag("--with-fastapi", o->with_fastapi, "Also run each configuration on real FastAPI (uvicorn)");
    o->output.declare(app);
    return [o] {
        auto scenario = find_scenario(o->name);
        if (!scenario) return exit_usage;
        Scenario s;
        try {
            s = apply(*scenario, o->overrides);
        } catch (const std::invalid_argument& e) {
            std::cerr << "lab: " << e.what() << '\n';
            return exit_usage;
        }
        for (const std::string& notice : unused_overrides(s, o->overrides)) std::cerr << "lab: notice: " << notice << '\n';
        if (!o->output.quiet && o->output.format == "table") {  // the lesson first, while it runs
            std::string lesson = s.teaching.substr(std::min(s.teaching.size(), s.teaching.find_first_not_of(" \n")));
            Layout layout = o->output.layout();
            std::cout << wrap(with_figures(lesson.substr(0, lesson.find("\n\n")), nullptr), layout.wide ? 100'000 : layout.columns)
                      << '\n';  // its first paragraph
            std::cout.flush();
        }
        return o->output.run_and_report(o->with_fastapi ? with_fastapi(s) : s, o->overrides);
    };
}

// The configuration that loads `url`; loopback only unless the user says otherwise.
std::optional<Configuration> load_target(const std::string& url, bool allow_remote, std::string& path) {
    TargetUrl target = parse_target_url(url);
    if (!target.error.empty()) {
        std::cerr << "lab load: " << target.error << '\n';
        return std::nullopt;
    }
    if (!target.loopback && !allow_remote) {
        std::cerr << "lab load: " << target.host << " is not on this machine; load goes to loopback only unless you pass --allow-remote\n";
        return std::nullopt;
    }
    Configuration c;
    c.host = target.host;
    c.port = target.port;
    path = target.path;
    c.label = url;
    c.mode = "external";
    c.server = "external";
    return c;
}

Action define_load(CLI::App& app) {
    struct Options {
        std::string url;
        Load load;
        bool allow_remote = false;
        Output output;
    };
    auto o = std::make_shared<Options>();
    o->load.delay_ms = 0;
    app.add_option("url", o->url, "http://HOST:PORT/PATH of any HTTP server (an IP address or localhost)")->required();
    app.add_option("--concurrency", o->load.concurrency, "Connections at once, C")->check(CLI::Range(1, 10'000))->capture_default_str();
    app.add_option("--requests", o->load.requests, "Requests per batch, M")->check(CLI::Range(1, 100'000))->capture_default_str();
    app.add_option("--method", o->load.method, "GET or POST")->check(CLI::IsMember({"GET", "POST"}))->capture_default_str();
    app.add_option("--repeat", o->load.repeat, "Measured batches, after one warm-up")->check(CLI::Range(1, 100))->capture_default_str();
    app.add_option("--rate", o->load.rate, "Open loop: requests per second on a fixed schedule (0: closed loop)")
        ->check(CLI::Range(0.0, 100'000.0));
    app.add_option("--duration", o->load.duration_ms, "Open loop: how long, in ms")->check(CLI::Range(100, 600'000))->capture_default_str();
    app.add_flag("--allow-remote", o->allow_remote, "Allow a target that is not on this machine");
    o->output.declare(app);
    return [o] {
        Scenario s;
        s.name = "load";
        s.title = "lab load " + o->url;
        s.source = "—";
        s.teaching = "The lab's harness against a server it did not start.";
        s.load = o->load;
        s.key_figure = s.load.rate > 0 ? KeyFigure::latency_over_time : KeyFigure::makespan;
        auto target = load_target(o->url, o->allow_remote, s.load.path);
        if (!target) return exit_usage;
        if (s.load.rate > 0)
            if (auto problem = open_loop_problem(s.load.rate, std::chrono::milliseconds(s.load.duration_ms))) {
                std::cerr << "lab load: --rate " << s.load.rate << " --duration " << s.load.duration_ms << ": " << *problem << '\n';
                return exit_usage;
            }
        s.configurations.push_back(*target);
        return o->output.run_and_report(s);
    };
}

// A results folder as the user names it: the folder itself, or a folder of runs (results/NAME, or
// NAME under results/), of which the newest is meant (their names are UTC times, so they sort).
fs::path results_folder(const fs::path& given) {
    if (fs::exists(given / "summary.json")) return given;
    for (const fs::path& runs : {given, fs::path("results") / given}) {
        if (!fs::is_directory(runs)) continue;
        std::optional<fs::path> newest;
        for (const auto& entry : fs::directory_iterator(runs))
            if (entry.path().filename().string().front() != '.' && fs::exists(entry.path() / "summary.json") &&
                (!newest || entry.path().filename() > newest->filename()))
                newest = entry.path();
        if (newest) return *newest;
    }
    throw ResultsError(given.string() + ": not a results folder, nor a folder of runs (nor results/" + given.string() + ")");
}

// A run's own page is never replaced by a different one: the rebuilt page is the same when the
// folder read back whole (nothing to write), else it goes beside it as report-rebuilt.html.
int rebuild_page(const fs::path& dir, const std::string& page) {
    fs::path own = dir / "report.html";
    std::ifstream existing(own, std::ios::binary);
    std::string before((std::istreambuf_iterator<char>(existing)), {});
    if (existing && before == page) {
        std::cerr << "report: " << own.string() << " (unchanged)\n";
        return exit_ok;
    }
    fs::path target = existing ? dir / "report-rebuilt.html" : own;
    try {
        replace_file(target, page);
    } catch (const std::exception& e) {
        std::cerr << "lab report: could not write " << target.string() << ": " << e.what() << '\n';
        return exit_failed;
    }
    std::cerr << "report: " << target.string() << (existing ? " (differs from the run's own report.html, kept)" : "") << '\n';
    return exit_ok;
}

// Two runs of a scenario side by side: each configuration's median makespan, and B over A.
void print_comparison(const RunResult& a, const RunResult& b, const std::vector<fs::path>& dirs, const Layout& layout) {
    const int width = layout.wide ? 100'000 : layout.columns;
    std::cout << wrap(a.scenario.title, width) << wrap("A: " + dirs[0].string(), width) << wrap("B: " + dirs[1].string(), width) << '\n';
    Column label{.header = "configuration", .wraps = true};
    Column in_a{.header = "A measured (median)", .narrow_header = "A median"};
    Column in_b{.header = "B measured (median)", .narrow_header = "B median"}, ratio{.header = "B/A"};
    for (const auto& ra : a.configurations) {
        auto rb = std::find_if(b.configurations.begin(), b.configurations.end(),
                               [&](const auto& c) { return c.configuration.label == ra.configuration.label; });
        label.cells.push_back(ra.configuration.label);
        in_a.cells.push_back(fixed(ra.makespan.median) + " s");
        bool both = rb != b.configurations.end();
        in_b.cells.push_back(both ? fixed(rb->makespan.median) + " s" : "(not in B)");
        ratio.cells.push_back(both && ra.makespan.median > 0 ? fixed(rb->makespan.median / ra.makespan.median) : "—");
    }
    print_table(std::cout, {label, in_a, in_b, ratio}, layout);
}

// The README's "Measured here": the newest run of each scenario under `root`, one Markdown row
// per configuration, with the figure its lesson turns on. Generated, never typed.
int print_measured_table(const fs::path& root) {
    std::vector<fs::path> scenarios;
    if (fs::is_directory(root))
        for (const auto& entry : fs::directory_iterator(root))
            if (entry.is_directory()) scenarios.push_back(entry.path());
    std::sort(scenarios.begin(), scenarios.end());
    std::cout << "| scenario | configuration | measured | model | key figure |\n|---|---|---|---|---|\n";
    int rows = 0;
    for (const fs::path& folder : scenarios) {
        fs::path newest;
        try {
            newest = results_folder(folder);
        } catch (const ResultsError&) {
            continue;  // not a scenario's folder of runs
        }
        RunResult run = read_results(newest);
        const char* key[2] = {nullptr, nullptr};
        switch (run.scenario.key_figure) {
            case KeyFigure::bystander_latency: key[0] = "probe_p50", key[1] = "probe_max"; break;
            case KeyFigure::peak_memory: key[0] = "peak_rss"; break;
            case KeyFigure::per_worker: key[0] = "busiest_worker"; break;
            case KeyFigure::latency_over_time: key[0] = "p99_from_due", key[1] = "p99_from_send"; break;
            case KeyFigure::makespan: break;
        }
        if (!key[1] && run.scenario.load.path == "/db") key[1] = "db_at_once";  // the database's own count
        for (const auto& r : run.configurations) {
            std::string figure;
            for (const char* name : key)
                if (name)
                    if (auto value = figure_value(name, r, run.scenario.load))
                        figure += (figure.empty() ? "" : ", ") + std::string(name) + " " + figure_text(name, *value);
            auto cell = [&](const char* name) {  // an open loop has no makespan to model
                auto value = run.scenario.load.rate > 0 ? std::nullopt : figure_value(name, r, run.scenario.load);
                return value ? figure_text(name, *value) : std::string("—");
            };
            std::cout << "| " << run.scenario.name << " | " << r.configuration.label << " | " << cell("measured") << " | "
                      << cell("model") << " | " << (figure.empty() ? "" : figure) << " |\n";
            ++rows;
        }
    }
    if (rows == 0) {
        std::cerr << "lab report --measured: no runs under " << root.string() << '\n';
        return exit_usage;
    }
    return exit_ok;
}

Action define_report(CLI::App& app) {
    auto dirs = std::make_shared<std::vector<fs::path>>();
    auto wide = std::make_shared<bool>(false);
    auto measured = std::make_shared<bool>(false);
    app.add_option("dirs", *dirs, "A results folder (or a scenario's name: its newest run in results/), or two to compare")
        ->expected(0, 2);
    app.add_flag("--wide", *wide, "Every column and whole labels, however wide the terminal");
    app.add_flag("--measured", *measured,
                 "A Markdown table of the newest run of every scenario under the folder (default results/): the README's 'Measured here'");
    return [dirs, wide, measured] {
        const Layout layout{terminal_columns(), *wide, colour_wanted()};
        if (*measured) {
            try {
                return print_measured_table(dirs->empty() ? fs::path("results") : dirs->front());
            } catch (const std::exception& e) {
                std::cerr << "lab report --measured: " << e.what() << '\n';
                return exit_usage;
            }
        }
        if (dirs->empty()) {
            std::cerr << "lab report: name a results folder (or a scenario), or two to compare\n";
            return exit_usage;
        }
        try {
            for (fs::path& dir : *dirs) dir = results_folder(dir);
            if (dirs->size() == 1) {
                RunResult run = read_results(dirs->front());
                print_report(std::cout, run, Format::table, layout);
                std::cout.flush();
                return rebuild_page(dirs->front(), html_report(run));
            }
            RunResult a = read_results((*dirs)[0]), b = read_results((*dirs)[1]);
            print_comparison(a, b, *dirs, layout);
            return exit_ok;
        } catch (const ResultsError& e) {  // a damaged or foreign folder: what is wrong, and where
            std::cerr << "lab report: " << e.what() << '\n';
            return exit_usage;
        } catch (const std::exception& e) {
            std::cerr << "lab report: " << e.what() << '\n';
            return exit_failed;
        }
    };
}

Action define_list(CLI::App&) {
    return [] {
        for (const fs::path& file : scenario_files(scenario_dir())) {
            try {
                Scenario s = load_scenario(file);
                std::printf("%-26s %s\n", s.name.c_str(), s.title.c_str());
            } catch (const ScenarioError& e) {
                std::printf("%-26s (bad file: %s)\n", file.stem().c_str(), e.what());
            }
        }
        return exit_ok;
    };
}

Action define_show(CLI::App& app) {
    auto name = std::make_shared<std::string>();
    app.add_option("scenario", *name, "Scenario name")->required();
    return [name] {
        auto s = find_scenario(*name);
        if (!s) return exit_usage;
        s = apply(*s, {});  // fills in "{d}" in the labels
        RunResult nothing_yet{*s, {}, cores()};  // what would be sent, before anything is measured
        std::cout << s->name << ": " << s->title << "\nsource: " << s->source << "\n\n"
                  << with_figures(s->teaching, nullptr) << "\n\nload: " << load_line(nothing_yet)
                  << "\n(--requests N, --concurrency C, --delay d in ms, --repeat)\n\nconfigurations:\n";
        for (const Configuration& c : s->configurations) {
            ConfigurationResult shape;
            Load own = s->load;  // a configuration may send its own number of requests
            if (c.requests) own.requests = *c.requests;
            shape.model = model_of(c, own);
            std::string model = s->load.rate > 0 ? "p99 from due " + open_loop_model(shape, own)
                                                 : shape.model.formula + " = " + fixed(predicted_makespan_s(shape.model, workload_of(own))) + " s";
            std::printf("  %d. %-40s %-16s model %s", c.number, c.label.c_str(), c.mode.c_str(), model.c_str());
            if (c.document_s) std::printf("   document %s", c.document_text.empty() ? fixed(*c.document_s, 2).c_str() : c.document_text.c_str());
            std::printf("\n");
        }
        if (!s->expectations.empty()) {
            std::cout << "\nclaims every run checks (✓ or ✗ beside its table):\n";
            for (const Expectation& e : s->expectations) {
                std::cout << "  row " << e.row << ", " << e.figure;
                if (e.at_least) std::cout << " ≥ " << *e.at_least;
                if (e.at_most) std::cout << (e.at_least ? " and" : "") << " ≤ " << *e.at_most;
                if (!e.relative_to.empty()) std::cout << " × " << (e.relative_to == "row" ? "row " + std::to_string(e.relative_row) + "'s" : e.relative_to);
                std::cout << ": " << e.claim << '\n';
            }
        }
        std::cout << "\nother options: --threads, --workers, --balance, --only, --with-fastapi, --out, --format, --quiet, --wide\n";
        return exit_ok;
    };
}

// `lab check`: runs scenarios and holds each against its own text: every [[expect]] must hold
// and every measured makespan stay within the scenario's tolerance of its model.
Action define_check(CLI::App& app) {
    struct Options {
        std::vector<std::string> names;
        Overrides overrides;
        bool quick = false;
        double under_s = 0;
    };
    auto o = std::make_shared<Options>();
    app.add_option("scenarios", o->names, "Scenario names or .toml files (default: every scenario)");
    declare_overrides(app, o->overrides);
    app.add_flag("--quick", o->quick, "One measured batch per configuration (unless --repeat says otherwise)");
    app.add_option("--under", o->under_s, "Only scenarios whose models say they take less than this many seconds")
        ->check(CLI::Range(0.1, 100'000.0));
    return [o] {
        std::vector<std::string> names = o->names;
        if (names.empty())
            for (const fs::path& file : scenario_files(scenario_dir())) names.push_back(file.stem().string());
        Overrides overrides = o->overrides;
        if (o->quick && !overrides.repeat) overrides.repeat = 1;
        stop_servers_on_signals();
        int failed = 0, skipped = 0;
        for (const std::string& name : names) {
            auto found = find_scenario(name);
            if (!found) return exit_usage;
            Scenario s;
            try {
                s = apply(*found, overrides);
            } catch (const std::invalid_argument& e) {
                std::cerr << "lab check: " << e.what() << '\n';
                return exit_usage;
            }
            if (o->under_s > 0 && estimated_seconds(s) > o->under_s) {
                std::cout << "- " << s.name << ": skipped (about " << fixed(estimated_seconds(s), 0) << " s, over --under)\n";
                ++skipped;
                continue;
            }
            Progress quiet(Progress::Style::quiet);
            RunResult run;
            try {
                run = run_scenario(s, {this_executable(), &quiet, overrides.database_url.value_or(""),
                                       overrides.downstream_url.value_or(""), overrides.redis_url.value_or("")});
            } catch (const std::runtime_error& e) {  // a service the scenario needs could not start
                std::cout << "✗ " << s.name << ": " << e.what() << '\n';
                ++failed;
                continue;
            }
            int contradicted = 0, held = 0;
            std::string detail;
            for (const CheckedClaim& c : check_claims(run)) {
                bool bad = c.outcome != CheckedClaim::Outcome::holds;
                (bad ? contradicted : held) += 1;
                if (bad) detail += "    ✗ " + c.claim + "\n      " + c.evidence + "\n";
            }
            for (const ModelGap& g : model_gaps(run))
                if (!g.within) {
                    ++contradicted;
                    detail += "    ✗ " + g.label + ": measured " + fixed(g.measured) + " s, model " + fixed(g.model) +
                              " s: more than " + fixed(s.model_tolerance * 100, 0) + " % apart" +
                              (s.model_tolerance_why.empty() ? "" : " (" + s.model_tolerance_why + ")") + "\n";
                }
            for (const auto& r : run.configurations)
                if (!r.error.empty()) {
                    ++contradicted;
                    detail += "    ✗ " + r.configuration.label + ": " + r.error + "\n";
                }
            std::cout << (contradicted ? "✗ " : "✓ ") << s.name << ": " << held << " claims hold"
                      << (contradicted ? ", " + std::to_string(contradicted) + " do not" : "") << "\n" << detail;
            std::cout.flush();
            failed += contradicted > 0;
        }
        std::cout << (failed ? std::to_string(failed) + " scenarios contradict their texts" : "every scenario checked bears out its text")
                  << (skipped ? " (" + std::to_string(skipped) + " skipped)" : "") << '\n';
        return failed ? exit_failed : exit_ok;
    };
}

constexpr std::array table{
    Subcommand{"serve", "Start one server in a concurrency mode", define_serve},
    Subcommand{"run", "Run a scenario: start its servers, send the load, print the table", define_run},
    Subcommand{"load", "Send the harness's load to any HTTP server: same statistics, files and report", define_load},
    Subcommand{"report", "Print a saved run's table and rebuild its report.html, or compare two runs", define_report},
    Subcommand{"list", "List the scenarios", define_list},
    Subcommand{"show", "Print a scenario's lesson, configurations and models", define_show},
    Subcommand{"check", "Run scenarios and check every claim their texts make (exit 1 if one fails)", define_check},
};

}  // namespace

std::span<const Subcommand> subcommands() { return table; }

}  // namespace lab
