// `lab exercise list | start NAME DIR | check NAME DIR`: the documents' mistakes as exercises
// that grade themselves. `start` writes the starter app and the question; `check` runs the
// exercise's load against the student's app (their own code, under uvicorn, with the lab's probe)
// and prints each expectation ✓ or ✗ with the measured figure and what a ✗ means. `start --seed S`
// (or `--class FILE`, a seed for each name) gives each student a variant of their own, recorded in
// their folder, and `check` grades by it.
#include "lab/cli/command_support.hpp"
#include "lab/cli/run_output.hpp"
#include "lab/cli/commands.hpp"
#include "lab/cli/exercise_start.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <fmt/format.h>

#include "lab/report/claims.hpp"
#include "lab/report/class_grades.hpp"
#include "lab/report/exercise_waves.hpp"
#include "lab/run/app_warnings.hpp"
#include "lab/report/run_diff.hpp"
#include "lab/results/reader.hpp"
#include "lab/scenario/exercises.hpp"
#include "lab/run/your_app.hpp"

namespace lab {
namespace fs = std::filesystem;
namespace {

int list_exercises() {
    for (const std::string& name : exercise_names())
        if (auto e = exercise_named(name))
            std::cout << name << "\n    " << printable(e->scenario.title)
                      << "\n    practises: lab run " << e->scenario.lesson << '\n';
    return exit_ok;
}

// What the app warned of on its stderr ("coroutine 'sleep' was never awaited"), after the claims:
// often the mistake itself, which the figures only hint at.
void print_app_warnings(const ConfigurationResult& mine, int columns) {
    const AppWarnings warned = app_warnings(mine.server_log);
    if (warned.shown.empty()) return;
    std::cout << "\nYour app warned (Python, on its stderr; the whole of it is in the run's "
                 "server.log):\n";
    for (const std::string& warning :
         warned.shown) {  // the warning, and under it the line of code Python showed
        const auto code = warning.find('\n');
        std::cout << indented(wrap(printable(warning.substr(0, code)), columns - 2), "  ");
        if (code != std::string::npos)
            std::cout << indented(wrap(printable(warning.substr(code + 1)), columns - 6), "      ");
    }
    if (warned.more > 0) std::cout << "  (and " << warned.more << " more)\n";
}

// The check before this one of the same app (its file and folder, as its row records them), kept
// in the exercise's folder of runs: what the student's change did. Checks of other folders share
// that folder of runs (a class's students, one --out): never compared with this one.
void print_change(const fs::path& runs) {
    const std::vector<fs::path> last = newest_runs(runs, 100);
    if (last.size() < 2) return;
    auto app_of = [](const RunResult& r) {  // (its file, and the folder it was imported from)
        if (r.configurations.empty()) return std::string();
        return r.configurations[0].configuration.app + '\n' +
               r.configurations[0].configuration.app_dir;
    };
    try {
        const RunResult now = read_results(last.back());
        for (auto before = last.rbegin() + 1; before != last.rend(); ++before) {
            const RunResult then = read_results(*before);
            if (app_of(then) != app_of(now)) continue;
            if (std::string said = change_sentence(diff_runs(then, now)); !said.empty())
                std::cout << '\n'
                          << wrap(said + "\n(the whole comparison: lab diff " +
                                      shell_word(before->string()) + ' ' +
                                      shell_word(last.back().string()) + ")",
                                  terminal_columns());
            return;
        }
    } catch (const ResultsError& e) {
        // a damaged earlier check: the grade above stands, the change is not said
        std::cerr << "lab exercise: the previous check cannot be compared: " << printable(e.what())
                  << '\n';
    }
}

// The grade: the run's claims (printed above, each with its figure and, for a ✗, its meaning).
// A claim the busy machine kept from being judged (–) is neither held nor broken: the grade
// waits for a quieter run rather than pass what was not seen or fail what the student got right.
// Its mark: ✓ (passed), – (only what was not judged) or ✗.
std::string print_grade(const std::string& name, const RunResult& run, int status) {
    int held = 0, all = 0, unjudged = 0;
    for (const CheckedClaim& c : check_claims(run))
        ++all, held += c.outcome == CheckedClaim::Outcome::holds,
            unjudged += c.outcome == CheckedClaim::Outcome::not_judged;
    bool passed = status == exit_ok && all > 0 && held == all;
    if (!run.configurations.empty()) {
        const int columns = terminal_columns();
        print_app_warnings(run.configurations[0], columns);
        // A right answer that took a few d: why, in the waves the server counted.
        if (std::string waves = passed ? waves_text(waves_of(run.configurations[0])) : "";
            !waves.empty())
            std::cout << '\n' << wrap(waves, columns);
    }
    const bool only_unjudged =
        !passed && status == exit_ok && unjudged > 0 && held + unjudged == all;
    const std::string mark = passed ? "✓" : only_unjudged ? "–" : "✗";
    std::cout << '\n'
              << mark << ' ' << name << ": " << held << " of " << all << " expectations hold"
              << (status != exit_ok ? " (and some requests failed: see above)" : "")
              << (unjudged > 0
                      ? fmt::format("; {} not judged: other processes used the CPU this check needs"
                                    " (see above); check again when the machine is quieter",
                                    unjudged == 1 ? "1 was" : std::to_string(unjudged) + " were")
                      : std::string())
              << (passed ? ". Well done." : ".") << '\n';
    return mark;
}

// Runs the exercise against DIR/main.py (or a .py file given directly); 0 when every expectation
// holds, 1 when one does not (or a request failed), 2 for a usage error or an app that cannot
// start, 4 when the lab could not run the check (nothing graded). `graded`: a class's row, its
// mark and figures.
int check_exercise(const std::string& name, const fs::path& where, const std::string& attr,
                   std::optional<int> repeat, const Output& output,
                   GradedStudent* graded = nullptr) {
    auto e = exercise_named(name);
    if (!e) return exit_usage;
    fs::path file = where.extension() == ".py" ? where : where / "main.py";
    std::string why;
    auto app = parse_app(file.string() + ":" + attr, "", "", why);
    if (!app) return said("lab exercise", why);
    // the variant `start --seed` recorded beside the app, else the exercise as its file says
    const std::optional<int> seed = recorded_seed(file.parent_path(), name);
    const Variant v = variant_of(e->scenario, seed);
    // its texts written from the values that run ({N}, {d}), as a lesson's
    Scenario s = with_variant(e->scenario, v, repeat);
    if (seed)
        std::cout << "Grading the variant of seed " << *seed << " (" << variant_file
                  << "): " << v.requests << " requests at once, d = " << v.delay_ms << " ms, at "
                  << v.path << "\n\n";
    Configuration& row = s.configurations[0];
    row.app = app->spec;
    row.app_dir = app->dir;
    row.label = app_label(*app);
    Output out = output;
    RunResult run;
    int status = out.run_and_report(s, {}, &run);
    // Refused before the run (an app that cannot be served, an --out that cannot be written):
    // nothing to grade. The lab could not run it (the app died, most requests got no answer, the
    // results could not be written): what it measured is not the student's work, so no grade.
    if (status == exit_usage) return status;
    if (status == exit_could_not_run) {
        std::cout << "\n– " << name
                  << ": not graded: the lab could not run the check (see above).\n";
        return status;
    }
    const std::string mark = print_grade(name, run, status);
    if (graded) graded->grade = mark, read_grade(*graded, run);  // (a class's row: no change said)
    else print_change(out.out / s.name);
    return mark == "✓" ? exit_ok : exit_failed;
}

// std::cout and std::cerr written into `text` while it lives: a class's checks each keep their
// own words (and their results folder), and the terminal shows the class.
struct Captured {
    std::ostringstream text;
    std::streambuf* out = std::cout.rdbuf(text.rdbuf());
    std::streambuf* err = std::cerr.rdbuf(text.rdbuf());
    ~Captured() { std::cout.rdbuf(out), std::cerr.rdbuf(err); }
};

// Why a student's check gave no grade, in the lab's own words (its status 2 or 4).
std::string why_ungraded(int status, const std::string& said) {
    static const std::regex lab_said("(^|\n)lab(?: exercise)?: ([^\n]*)");  // "lab: your app …"
    std::smatch why;
    std::regex_search(said, why, lab_said);
    return (status == exit_usage ? "did not start: " : "not graded: ") +
           first_characters(printable(why[2].str()), 160);
}

// `check NAME DIR --class LIST`: each folder of DIR that `start --class` made, graded one after
// another, each as one check is (bounded by its app's start-up limit and its load's deadline); a
// folder that cannot be graded is said in its row and never stops the others. The class's table
// and the mistakes they share on the terminal, and in class.html beside the checks' folders.
// Without a list, the one check of DIR.
int check_class(const std::string& name, const fs::path& dir, const fs::path& list,
                const std::string& attr, std::optional<int> repeat, Output output) {
    if (list.empty()) return check_exercise(name, dir, attr, repeat, output);
    auto e = exercise_named(name);
    if (!e) return exit_usage;
    ClassGrades grades{.exercise = name};
    for (const Expectation& x : e->scenario.expectations) grades.expectations.push_back(x.claim);
    const std::vector<Student> students = class_students(e->scenario, list);
    output.quiet = true;
    for (const Student& st : students) {
        GradedStudent& g = grades.students.emplace_back(
            GradedStudent{.name = printable(st.name), .folder = st.folder, .seed = st.seed});
        std::cerr << "lab: [" << grades.students.size() << "/" << students.size() << "] " << g.name
                  << '\n';
        const auto began = std::chrono::steady_clock::now();
        Captured said;
        const int status = check_exercise(name, dir / st.folder, attr, repeat, output, &g);
        g.took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        if (g.grade.empty()) g.grade = why_ungraded(status, said.text.str());
    }
    print_table(std::cout, class_columns(grades), output.layout());
    for (const std::string& mistake : common_mistakes(grades))
        std::cout << wrap("· " + mistake, terminal_columns());
    try {
        std::cerr << "page: " << printable(write_class_page(grades, output.out).string()) << '\n';
    } catch (const std::exception& x) {
        return said("lab exercise: could not write the class's page", x.what(), exit_could_not_run);
    }
    return std::ranges::all_of(grades.students, [](auto& g) { return g.grade == "✓"; })
               ? exit_ok
               : exit_failed;
}

}  // namespace

Action define_exercise(CLI::App& app) {
    struct Options {
        std::string name, attr = "app";
        fs::path dir, class_list;
        bool solution = false;
        std::optional<int> seed, repeat;
        Output output;
    };
    auto o = std::make_shared<Options>();
    app.require_subcommand(1);
    auto* list = app.add_subcommand("list", "The exercises, each with the lesson it practises");
    auto* start = app.add_subcommand(
        "start", "Write an exercise's starter app (DIR/main.py) and its question (DIR/README.md)");
    start->add_option("name", o->name, "The exercise (see `lab exercise list`)")->required();
    start
        ->add_option("dir", o->dir,
                     "A folder for your app (made if missing); with --class, the class's folders")
        ->required();
    start->add_flag("--solution", o->solution,
                    "Write the lab's reference solution instead (for teachers)");
    auto* seed = start
                     ->add_option("--seed", o->seed,
                                  "Your own variant: N, d, the route and its data drawn from "
                                  "this seed (as OSTEP's -s); check grades by it")
                     ->check(CLI::Range(0, max_seed));
    start
        ->add_option("--class", o->class_list,
                     "A class list (a name a line): a folder of DIR for each, its seed from "
                     "the name, the seeds printed")
        ->excludes(seed)
        ->check(CLI::ExistingFile);
    auto* check = app.add_subcommand(
        "check", "Grade your app: run the exercise's load against it, each expectation ✓ or ✗");
    check->add_option("name", o->name, "The exercise")->required();
    check->add_option("dir", o->dir, "The folder with your main.py (or the .py file itself)")
        ->required();
    check->add_option("--attr", o->attr, "The ASGI app's name in the file")->capture_default_str();
    check->add_option("--repeat", o->repeat, "Measured batches (default: the exercise's)")
        ->check(CLI::Range(1, 20));
    check
        ->add_option("--class", o->class_list,
                     "Grade the class: each folder of DIR that start --class made from this list, "
                     "one after another; the class's table, also in RESULTS/NAME/class.html")
        ->check(CLI::ExistingFile);
    o->output.declare(*check);
    return [o, list, start, check] {  // (a bad class list or variant's record: where, why, exit 2)
        return said_on_failure<ScenarioError>("lab exercise", [&] {
            if (list->parsed()) return list_exercises();
            if (start->parsed())
                return o->class_list.empty()
                           ? start_exercise(o->name, o->dir, o->solution, o->seed)
                           : start_class(o->name, o->dir, o->solution, o->class_list);
            if (check->parsed())
                return check_class(o->name, o->dir, o->class_list, o->attr, o->repeat, o->output);
            return exit_usage;
        });
    };
}

}  // namespace lab
