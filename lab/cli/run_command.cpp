// `lab run SCENARIO`: run a scenario's configurations, print the table, keep the files.
#include "lab/cli/command_support.hpp"
#include "lab/cli/run_output.hpp"
#include "lab/cli/commands.hpp"

#include <iostream>
#include <memory>

#include "lab/target_url.hpp"
#include "lab/cli/guesses_asked.hpp"
#include "lab/report/claims.hpp"
#include "lab/report/predictions.hpp"
#include "lab/run/your_app.hpp"

namespace lab {

namespace {

// What `lab run` was told.
struct RunOptions {
    std::string name;
    Overrides overrides;
    TwinOptions twins;
    std::string app, app_dir, app_path, target;  // a student's own code as one more row
    bool allow_remote = false;
    std::string predict;  // --predict's list; empty: ask on the terminal
    CLI::Option* predicting = nullptr;
    bool predict_page = false;
    std::size_t room_size = most_room_guesses;
    Output output;
};

// --app or --target: the lesson with the student's own server as one more row: their app (one
// that cannot be served is refused when the run starts it, before any load is sent: its
// traceback's last lines, exit 2), or a running server, on this machine unless --allow-remote.
// exit_ok, or why not (said) as an exit code.
int with_student_row(Scenario& s, const RunOptions& o) {
    if (o.app.empty() && o.target.empty()) return exit_ok;
    if (s.sweep)
        return said("lab",
                    "--app and --target run the lesson's own load, not a sweep (give single "
                    "values)");
    std::string why;
    if (!o.app.empty()) {
        auto app = parse_app(o.app, o.app_dir, o.app_path, why);
        if (!app) return said("lab", why);
        s = with_app(std::move(s), *app);
        return exit_ok;
    }
    TargetUrl target = parse_target_url(o.target);
    if (std::string refused = refused_target(target, o.allow_remote); !refused.empty())
        return said("lab", "--target: " + refused);
    s = with_target(std::move(s), target.host, target.port, target.path);
    return exit_ok;
}

// --predict and --predict-page: the class's guesses (the list, else asked on the terminal) and
// the room's go on the configurations before the run. exit_ok, or why not as an exit code (said).
int with_predictions(Scenario& s, RunOptions& o) {
    const bool predict = o.predicting->count() > 0;
    if (!predict && !o.predict_page) return exit_ok;
    std::string why;
    if (!guessable(s, why) || (predict && !o.predict.empty() && !take_guesses(s, o.predict, why)))
        return said("lab", why);
    o.output.live = o.output.live || o.predict_page;  // (the room's form is the live view's)
    o.output.enter_starts = o.predict_page;
    if (!o.output.open_live()) return exit_failed;
    if (predict && o.predict.empty()) ask_guesses(s, std::cin, std::cerr, o.output.hub.get());
    if (o.predict_page) gather_room_guesses(s, *o.output.hub, std::cin, std::cerr, o.room_size);
    if (std::ranges::none_of(s.configurations, &Configuration::guessed) && !has_picks(s))
        std::cerr << "lab: notice: no guesses were given; the run goes on without them\n";
    return exit_ok;
}

// Before the run: its notices, and (a table for a person) the lesson's first paragraph, to read
// while it runs.
void say_before_the_run(const Scenario& s, const RunOptions& o) {
    for (const std::string& notice : s.notices) said("lab: notice", notice);
    for (const std::string& notice : unused_overrides(s, o.overrides)) said("lab: notice", notice);
    if (o.output.quiet || o.output.format != Format::table) return;
    std::string lesson =
        s.teaching.substr(std::min(s.teaching.size(), s.teaching.find_first_not_of(" \n")));
    Layout layout = o.output.layout();
    std::cout << wrap(with_figures(lesson.substr(0, lesson.find("\n\n")), nullptr),
                      layout.wide ? 100'000 : layout.columns)
              << '\n';
    std::cout.flush();
}

}  // namespace

Action define_run(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    app.add_option("scenario", o->name, "Scenario name (see `lab list`) or a .toml file")
        ->required();
    declare_overrides(app, o->overrides);
    declare_twins(app, o->twins, "Also run each configuration on real FastAPI (uvicorn)");
    auto* your_app = app.add_option(
        "--app", o->app,
        "Your own ASGI app as one more row, named as uvicorn names it: package.module:attr, "
        "or FILE.py[:ATTR] (ATTR default app); run under uvicorn with the lab's probe");
    app.add_option("--app-dir", o->app_dir,
                   "Where --app's import string is looked up, as uvicorn's --app-dir (default: the "
                   "current folder)")
        ->needs(your_app);
    app.add_option("--app-path", o->app_path,
                   "The path of your app's route to load (default: the lesson's, e.g. /delay); "
                   "?ms= is passed as the lesson passes it")
        ->needs(your_app);
    app.add_option("--target", o->target,
                   "A server already running, as one more row: http://HOST:PORT[/PATH]")
        ->excludes(your_app);
    app.add_flag("--allow-remote", o->allow_remote, "Allow a --target that is not on this machine");
    o->predicting =
        app.add_option("--predict", o->predict,
                       "Guess each configuration's key figure first: asked on the terminal, or "
                       "given in order (1.0,0.1; an empty place for none); shown beside the run")
            ->expected(0, 1);
    auto* page = app.add_flag("--predict-page", o->predict_page,
                              "Also take the room's guesses on the live view's /guess form (turns "
                              "on --live; --live-host 0.0.0.0 lets other machines in); Enter "
                              "starts the run");
    app.add_option("--room-size", o->room_size,
                   "The room's size: its guesses at most (1 to 200; default 200); the terminal "
                   "says when all have come")
        ->check(CLI::Range(std::size_t{1}, most_room_guesses))
        ->needs(page);
    o->output.declare(app);
    return [o] {
        auto found = find_scenario(o->name, o->overrides);
        if (!found) return exit_usage;
        Scenario& s = *found;
        if (int refused = with_student_row(s, *o); refused != exit_ok) return refused;
        if (!results_writable("lab", o->output.out, s.name))
            return exit_usage;  // before the class types its guesses
        if (int refused = with_predictions(s, *o); refused != exit_ok) return refused;
        if (!o->output.open_live()) return exit_failed;  // its URL first, before the lesson
        const Scenario ran = twinned(s, o->twins);  // (what its twins lack: among its notices)
        say_before_the_run(ran, *o);
        return o->output.run_and_report(ran, o->overrides);
    };
}

}  // namespace lab
