#include "lab/cli/commands.hpp"

#include <array>
#include <fstream>
#include <iostream>
#include <memory>

#include "harness/models.hpp"
#include "harness/open_loop.hpp"
#include "lab/cli/target_url.hpp"
#include "lab/modes/modes.hpp"
#include "lab/report/html_report.hpp"
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
    app.add_option("--balance", o->balance, "multi-process: how workers share the port")
        ->check(CLI::IsMember({"shared", "reuseport"}))->capture_default_str();
    app.add_option("--worker-mode", o->worker_mode, "multi-process: the loop each worker runs")
        ->check(CLI::IsMember(mode_names(true)))->capture_default_str();
    app.add_flag("--explain", o->explain, "Print one line per event: arrived, started, done, answered, loop blocked");
    app.add_flag("--gil", o->gil, "Emulate Python's GIL: CPU work holds one process-wide lock");
    app.add_option("--idle-timeout-ms", o->idle_timeout_ms, "Close a connection that has not sent a whole request by then")
        ->check(CLI::Range(100, 600'000))->capture_default_str();
    app.add_option("--slow-ms", o->slow_ms, "Log handlers that hold the loop this long")
        ->check(CLI::Range(1, 60'000))->capture_default_str();
    app.footer("Endpoints: GET / | GET|POST /delay?ms=N (wait N ms; 0..60000, default 100) | "
               "GET|POST /cpu?ms=N (compute N ms of CPU) | GET /health | GET /stats[?reset=1]");
    return [o] {
        try {
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

    void declare(CLI::App& app) {
        app.add_option("--out", out, "Folder for results")->capture_default_str();
        app.add_option("--format", format, "Output format")
            ->check(CLI::IsMember({"table", "json", "csv", "markdown"}))->capture_default_str();
        app.add_flag("--quiet", quiet, "No progress on stderr");
    }

    int run_and_report(const Scenario& scenario) const {
        stop_servers_on_signals();
        Progress progress(Progress::style_for_stderr(quiet));
        RunResult run = run_scenario(scenario, {this_executable(), &progress});
        Format f = format == "json" ? Format::json : format == "csv" ? Format::csv
                 : format == "markdown" ? Format::markdown : Format::table;
        print_report(std::cout, run, f);
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

Action define_run(CLI::App& app) {
    struct Options {
        std::string name;
        Overrides overrides;
        bool with_fastapi = false;
        Output output;
    };
    auto o = std::make_shared<Options>();
    app.add_option("scenario", o->name, "Scenario name (see `lab list`) or a .toml file")->required();
    app.add_option("--requests", o->overrides.requests, "Requests per batch, N")->check(CLI::Range(1, 10'000));
    app.add_option("--concurrency", o->overrides.concurrency, "Connections at once, C")->check(CLI::Range(1, 10'000));
    app.add_option("--delay", o->overrides.delay_ms, "Each request's wait d, in ms")->check(CLI::Range(0, 60'000));
    app.add_option("--repeat", o->overrides.repeat, "Measured batches, after one warm-up")->check(CLI::Range(1, 100));
    app.add_option("--threads", o->overrides.threads, "thread-pool size T")->check(CLI::Range(1, 10'000));
    app.add_option("--workers", o->overrides.workers, "multi-process workers W")->check(CLI::Range(1, 64));
    app.add_option("--balance", o->overrides.balance, "multi-process: shared | reuseport")
        ->check(CLI::IsMember({"shared", "reuseport"}));
    app.add_option("--only", o->overrides.only, "Run one configuration: its label, or its number from 1 (see `lab show`)");
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
            std::cout << lesson.substr(0, lesson.find("\n\n")) << "\n\n";  // its first paragraph
            std::cout.flush();
        }
        return o->output.run_and_report(o->with_fastapi ? with_fastapi(s) : s);
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

Action define_report(CLI::App& app) {
    auto dirs = std::make_shared<std::vector<fs::path>>();
    app.add_option("dirs", *dirs, "A results folder (or a scenario's name: its newest run in results/), or two to compare")
        ->required()->expected(1, 2);
    return [dirs] {
        try {
            for (fs::path& dir : *dirs) dir = results_folder(dir);
            if (dirs->size() == 1) {
                RunResult run = read_results(dirs->front());
                print_report(std::cout, run, Format::table);
                std::cout.flush();
                return rebuild_page(dirs->front(), html_report(run));
            }
            RunResult a = read_results((*dirs)[0]), b = read_results((*dirs)[1]);
            std::printf("%s\nA: %s\nB: %s\n\n%-42s | %-24s | %-24s | %s\n", a.scenario.title.c_str(), (*dirs)[0].c_str(),
                        (*dirs)[1].c_str(), "configuration", "A measured (median)", "B measured (median)", "B/A");
            for (const auto& ra : a.configurations) {
                auto rb = std::find_if(b.configurations.begin(), b.configurations.end(),
                                       [&](const auto& c) { return c.configuration.label == ra.configuration.label; });
                if (rb == b.configurations.end()) {
                    std::printf("%-42s | %-24.3f | %-24s | —\n", ra.configuration.label.c_str(), ra.makespan.median, "(not in B)");
                    continue;
                }
                std::printf("%-42s | %-24.3f | %-24.3f | %.3f\n", ra.configuration.label.c_str(), ra.makespan.median,
                            rb->makespan.median, ra.makespan.median > 0 ? rb->makespan.median / ra.makespan.median : 0.0);
            }
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
        const Load& l = s->load;
        std::cout << s->name << ": " << s->title << "\nsource: " << s->source << "\n\n"
                  << s->teaching << "\n\nload: " << l.requests << " requests (--requests), "
                  << l.concurrency << " at a time (--concurrency), " << l.method << ' ' << l.path
                  << "?ms=" << l.delay_ms << " (--delay), " << l.repeat
                  << " measured batches after one warm-up (--repeat)\n\nconfigurations:\n";
        for (const Configuration& c : s->configurations) {
            Load own = l;  // a configuration may send its own number of requests
            if (c.requests) own.requests = *c.requests;
            Model m = model_of(c, own);
            double predicted = predicted_makespan_s(m, workload_of(own));
            std::printf("  %-40s %-16s model %s = %.3f s", c.label.c_str(), c.mode.c_str(),
                        m.formula.c_str(), predicted);
            if (c.document_s) std::printf("   document %s", c.document_text.empty() ? std::to_string(*c.document_s).c_str() : c.document_text.c_str());
            std::printf("\n");
        }
        std::cout << "\nother options: --threads, --workers, --balance, --with-fastapi, --out, --format, --quiet\n";
        return exit_ok;
    };
}

constexpr std::array table{
    Subcommand{"serve", "Start one server in a concurrency mode", define_serve},
    Subcommand{"run", "Run a scenario: start its servers, send the load, print the table", define_run},
    Subcommand{"load", "Send the harness's load to any HTTP server: same statistics, files and report", define_load},
    Subcommand{"report", "Print a saved run's table and rebuild its report.html, or compare two runs", define_report},
    Subcommand{"list", "List the scenarios", define_list},
    Subcommand{"show", "Print a scenario's lesson, configurations and models", define_show},
};

}  // namespace

std::span<const Subcommand> subcommands() { return table; }

}  // namespace lab
