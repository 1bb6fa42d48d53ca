// `lab run SCENARIO` and `lab load URL`: send a load, print the table, keep the files.
#include "lab/cli/command_support.hpp"

#include <iostream>
#include <memory>

#include "harness/open_loop.hpp"
#include "lab/cli/target_url.hpp"
#include "lab/report/claims.hpp"

namespace lab {

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
        if (!o->output.open_live()) return exit_failed;  // its URL first, before the lesson
        for (const std::string& notice : s.notices) std::cerr << "lab: notice: " << notice << '\n';
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

}  // namespace lab
