// `lab doctor APP`: which routes of a learner's app hold the event loop, at which line, and what to
// do. The app is named as uvicorn names it (app.main:app with --app-dir, or a file); exit 0 when no
// route holds the loop --fail-over ms or more a request, 1 when one does (or, with --fail-under,
// when a route's ceiling under --ramp is under it), 2 for bad input, 3 when no route could be
// judged, or a route sent answered 5xx or nothing (unmeasured: a CI gate must not pass; `skip =
// "why"` in --examples leaves a route out), 4 when the lab could not run or write (the app died
// mid-run, most of a burst got no answer, the results could not be written): fit for CI.
#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <iostream>
#include <memory>
#include "lab/doctor/folder.hpp"
#include "lab/doctor/page.hpp"
#include "lab/doctor/report.hpp"
#include "lab/doctor/judge.hpp"
#include "lab/doctor/run.hpp"
#include "lab/run/server_process.hpp"
#include "lab/target_url.hpp"

namespace lab {
namespace {

struct DoctorOptions {
    DoctorSettings settings;  // what the options below do not need checked or turned first
    std::string app, app_dir, examples, target;
    bool allow_remote = false, example = false, ramp = false, wide = false;
    std::filesystem::path out = "results";
    std::vector<std::string> methods;
    std::optional<int> max_in_flight;  // (given: with --ramp only; default_max_in_flight)
    double fail_under_rps = 0;
    Format format = Format::table;
};

// --target URL: a server already running, on this machine unless --allow-remote; or why not.
bool with_target(DoctorSettings& s, const DoctorOptions& o, std::string& why) {
    TargetUrl target = parse_target_url(o.target);
    if (std::string refused = refused_target(target, o.allow_remote); !refused.empty())
        why = "--target: " + refused;
    else if (s.bystander.empty() || s.bystander[0] != '/' ||
             s.bystander.find_first_of(" \t\r\n") != std::string::npos)
        why = "--probe " + s.bystander + ": a path on the server, starting with /";
    s.target_host = target.host, s.target_port = target.port;
    return why.empty();
}

// The app to put under the lab's probe (one that cannot be served is refused when the doctor
// starts it: AppWontStart); or why not.
bool with_app(DoctorSettings& s, const DoctorOptions& o, std::string& why) {
    if (o.app.empty()) {
        why = "give your app (app.main:app, or a file) or --target URL";
        return false;
    }
    auto app = parse_app(o.app, o.app_dir, "", why);
    if (app) s.app = *app;
    return app.has_value();
}

// The settings, or why not (said): the app's name or the target, the examples file, the methods.
std::optional<DoctorSettings> settings_of(const DoctorOptions& o) {
    DoctorSettings s = o.settings;
    std::string why;
    if (!(o.target.empty() ? with_app(s, o, why) : with_target(s, o, why))) {
        std::cerr << "lab doctor: " << printable(why) << '\n';
        return std::nullopt;
    }
    try {
        if (!o.examples.empty()) s.examples = read_examples(o.examples);
    } catch (const std::invalid_argument& e) {
        std::cerr << "lab doctor: --examples " << printable(e.what()) << '\n';
        return std::nullopt;
    }
    for (const std::string& m : o.methods) s.methods.insert(m);
    const bool ramped = o.ramp || o.fail_under_rps > 0;
    if (o.max_in_flight && !ramped) {  // (alone it would be ignored)
        std::cerr << "lab doctor: --max-in-flight goes with --ramp (or --fail-under)\n";
        return std::nullopt;
    }
    s.max_in_flight = ramped ? o.max_in_flight.value_or(default_max_in_flight) : 0;
    return s;
}

// The run's routes judged (once, as it ends), shown, kept, and its exit code.
int report(DoctorRun run, const DoctorOptions& o) {
    judge_routes(run);
    Layout layout{o.wide ? 100'000 : terminal_columns(), o.wide,
                  colour_wanted() && o.format == Format::table};
    if (o.format == Format::json) std::cout << doctor_json(run).dump(2) << '\n';
    else if (o.format == Format::csv) print_doctor_csv(std::cout, run);
    else if (o.settings.list_only)
        print_doctor_plan(std::cout, run, layout, o.format == Format::markdown);
    else print_doctor(std::cout, run, layout, o.format == Format::markdown);
    std::cout.flush();
    if (o.settings.list_only) return exit_ok;
    // The run's folder (results/doctor/<time>/): doctor.json, server.log and report.html.
    if (!folder_written("lab doctor", [&] {
            return write_doctor_folder(run, o.out,
                                       {{.name = "report.html", .text = doctor_html(run)}});
        }))
        return exit_could_not_run;
    if (!run.died.empty()) {
        std::cerr << "lab doctor: " << printable(run.died) << '\n';
        return exit_could_not_run;
    }
    if (const std::string failed = mostly_unanswered(run); !failed.empty()) {
        std::cerr << "lab doctor: the run failed: " << printable(failed) << '\n';
        return exit_could_not_run;
    }
    if (routes_over(run) > 0 || routes_under(run, o.fail_under_rps) > 0) return exit_failed;
    return routes_judged(run) > 0 && routes_failed(run) == 0 ? exit_ok : exit_nothing_judged;
}

// --ramp and what it measures against: how far it goes, and the ceiling a CI job asks for.
void define_ramp_options(CLI::App& app, DoctorOptions& o) {
    app.add_flag("--ramp", o.ramp,
                 "Then ramp each route from 1 request in flight up: where it bends (its knee), "
                 "why (AnyIO's thread tokens, asyncio's executor, a DB pool, the loop), and its "
                 "ceiling in requests a second");
    app.add_option("--fail-under", o.fail_under_rps,
                   "Ramp (as --ramp), and exit 1 when a route's ceiling is under this many "
                   "requests a second")
        ->check(CLI::Range(0.001, 1e9));
    app.add_option("--max-in-flight", o.max_in_flight,
                   "--ramp: the most requests in flight a step keeps (default 200)")
        ->check(CLI::Range(1, most_in_flight));
}

}  // namespace

Action define_doctor(CLI::App& app) {
    auto o = std::make_shared<DoctorOptions>();
    auto* named = app.add_option(
        "app", o->app, "Your ASGI app as uvicorn names it: package.module:attr, or FILE.py[:ATTR]");
    app.add_option(
           "--target", o->target,
           "A server already running (http://127.0.0.1:8000): no probe, so only whether each route "
           "kept a bystander waiting; its routes from its /openapi.json or --examples")
        ->excludes(named);
    app.add_flag("--allow-remote", o->allow_remote, "Allow a --target that is not on this machine");
    app.add_flag("--example", o->example,
                 "The lab's own demonstration: a small shop (scenarios/apps/shop) with one of the "
                 "documents' mistakes in each route")
        ->excludes(named);
    app.add_option("--probe", o->settings.bystander,
                   "--target: the path the bystander asks every 10 ms (default /openapi.json)");
    app.add_option("--app-dir", o->app_dir,
                   "Where the import string is looked up, as uvicorn's --app-dir (default: the "
                   "current folder)");
    app.add_option("-n", o->settings.requests, "Requests in each route's burst, sent at once")
        ->check(CLI::Range(1, max_doctor_burst));
    app.add_option("--fail-over", o->settings.hold_ms,
                   "A hold of the loop this long (ms) names its line and makes the exit status 1 "
                   "(0 none held, 2 bad input, 3 a route sent not judged, 4 the lab could not run "
                   "or write)")
        ->check(CLI::Range(1.0, 10000.0));
    define_ramp_options(app, *o);
    app.add_option("--examples", o->examples,
                   "Values per route (TOML): [\"GET /price/{item_id}\"] path, query, headers, body "
                   "= {...}; [\"POST /token\"] form = { username = \"ada\", password = \"x\" }; "
                   "skip = \"why\"")
        ->check(CLI::ExistingFile);
    app.add_option("--methods", o->methods,
                   "Also send these methods (only GET and HEAD by default: the doctor never writes "
                   "unasked)")
        ->delimiter(',')
        ->check(CLI::IsMember({"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}));
    app.add_flag("--list", o->settings.list_only,
                 "Print the routes and the request each would get, and send nothing");
    app.add_flag("--with-services", o->settings.with_services,
                 "Give the app the lab's private PostgreSQL and Redis (DATABASE_URL, REDIS_URL)");
    app.add_option("--out", o->out, "Where the run's folder goes (results/doctor/<time>/)");
    declare_wide(app, o->wide);
    one_of<Format>(app.add_option("--format", o->format, "table, markdown, csv or json"));
    return [o] {
        stop_servers_on_signals();  // Ctrl-C, SIGTERM, a closed terminal: the app goes with the lab
        if (o->example)
            o->app = "app.main:app", o->app_dir = (scenario_dir() / "apps" / "shop").string();
        auto settings = settings_of(*o);
        if (!settings ||
            (!o->settings.list_only && !results_writable("lab doctor", o->out, doctor_folder_name)))
            return exit_usage;
        if (!o->settings.list_only)
            settings->progress = [](const std::string& line) {
                std::cerr << "lab doctor: " << printable(line) << '\n';
            };
        return said_on_failure<std::invalid_argument>(
            "lab doctor", [&] { return report(run_doctor(*settings), *o); }, exit_could_not_run);
    };
}

}  // namespace lab
