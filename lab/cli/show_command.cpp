// `lab list` and `lab show SCENARIO`: the lessons, and what one would send and predict.
#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "lab/cli/guesses_asked.hpp"
#include "lab/figures/figure_value.hpp"
#include "lab/guess.hpp"
#include "lab/report/claims.hpp"
#include "lab/report/report.hpp"
#include "lab/report/sweep_curves.hpp"
#include "lab/scenario/exercises.hpp"
#include "lab/scenario/figure_catalogue.hpp"

namespace lab {

namespace fs = std::filesystem;

Action define_list(CLI::App&) {
    return [] {
        const std::size_t room = std::max(terminal_columns() - 28, 24);  // (beside the names)
        for (const fs::path& file : scenario_files(scenario_dir())) {
            try {
                // (its title as it runs; how long its models say a run takes)
                Scenario s = apply(load_scenario(file), {});
                const std::string said =
                    printable(s.title) + " (about " + fixed(estimated_seconds(s), 0) + " s)";
                std::printf("%-26s %s\n", printable(s.name).c_str(),
                            hanging(said, room, 27).c_str());
            } catch (const ScenarioError& e) {
                std::printf("%-26s (bad file: %s)\n", printable(file.stem()).c_str(),
                            printable(e.what()).c_str());
            }
        }
        return exit_ok;
    };
}

namespace {

// `lab show LESSON --sheet`: the lesson's prediction sheet in Markdown, for a handout: what is
// sent, the figure to guess with its unit, and an empty box per configuration; nothing the run
// would answer (no model, no text).
int print_prediction_sheet(const Scenario& s, const std::string& given) {
    std::string why;
    if (!guessable(s, why)) {
        std::cerr << "lab show: " << printable(why.substr(why.find(": ") + 2)) << '\n';
        return exit_usage;
    }
    const FigureInfo* figure = &info(*guessed_figure(s.key_figure));
    std::cout << "### Predict: " << printable(s.title) << "\n\n"
              << printable(load_line(RunResult{s, {}})) << "\n\nFor each configuration, guess "
              << printable(guess_question(s)) << " (e.g. " << guess_example(figure->unit)
              << ").\n\n| | configuration | your guess"
              << (figure->unit.empty() ? "" : " (" + std::string(figure->unit) + ")")
              << " |\n|---|---|---|\n";
    std::string places;
    for (std::size_t k = 0; k < s.configurations.size(); ++k) {
        std::cout << "| " << k + 1 << " | " << markdown_text(printable(s.configurations[k].label))
                  << " | |\n";
        places += (k == 0 ? "G" : ",G") + std::to_string(k + 1);
    }
    if (!s.choices.empty()) std::cout << "\nAnd which will the run show? Tick one.\n\n";
    for (std::size_t k = 0; k < s.choices.size(); ++k)
        std::cout << "- [ ] " << k + 1 << ". " << markdown_text(printable(s.choices[k].says.claim))
                  << '\n';
    std::cout << "\nThen `lab run " << given << " --predict " << places
              << "`, with the options this sheet was made with, sets each guess beside what the "
                 "run measures"
              << (s.choices.empty() ? "" : " (`--predict` alone asks the guesses and the choice)")
              << ".\n";
    return exit_ok;
}

// What each configuration runs, and what its model predicts.
void print_configurations(const Scenario& s) {
    for (const Configuration& c : s.configurations) {
        // A configuration may send its own N (or, a sweep's point, C or d)
        ConfigurationResult row = planned(c, s.load);
        measure_figures(row);  // (what its model predicts: nothing is measured before it runs)
        std::string model = s.load.rate > 0 ? "p99 from due " + row.open_loop_model
                            : row.model.formula.empty()
                                ? "none (the claims bound its figures)"
                                : row.model.formula + " = " + fixed(row.model_s) + " s";
        std::printf("  %d. %-40s %-16s model %s", c.number, printable(c.label).c_str(),
                    printable(c.mode).c_str(), printable(model).c_str());
        if (c.document_s)
            std::printf(
                "   document %s",
                printable(c.document_text.empty() ? fixed(*c.document_s, 2) : c.document_text)
                    .c_str());
        std::printf("\n");
    }
}

// The claims every run checks, each with its bounds.
void print_claims(const Scenario& s, const RunResult& nothing_yet) {
    if (s.expectations.empty()) return;
    std::cout << "\nclaims every run checks (✓ or ✗ beside its table):\n";
    for (const Expectation& e : s.expectations) {
        std::cout << "  row " << e.row
                  << (e.at && s.sweep
                          ? " at " + swept_symbol(nothing_yet) + " = " + std::to_string(*e.at)
                          : "")
                  << ", " << name_of(e.figure);
        if (e.at_least) std::cout << " ≥ " << *e.at_least;
        if (e.at_most) std::cout << (e.at_least ? " and" : "") << " ≤ " << *e.at_most;
        if (!e.relative_to.empty())
            std::cout << " × "
                      << (e.relative_to == "row" ? "row " + std::to_string(e.relative_row) + "'s"
                                                 : e.relative_to);
        std::cout << ": " << printable(e.claim, true) << '\n';
    }
}

// What to do next: predict, the other options, the student's own code, the exercises.
void print_next_steps(const Scenario& s) {
    if (std::string why; guessable(s, why))
        std::cout << "\npredict first: lab run " << printable(s.name)
                  << " --predict (the guesses asked on the terminal), or --predict G1,G2,...; "
                  << "lab show " << printable(s.name) << " --sheet prints a sheet for a handout\n";
    std::cout << "\nother options: --threads, --workers, --balance, --only, --with-fastapi, "
                 "--out, --format, --quiet, --wide, --live\n"
                 "a list sweeps one numeric option (--concurrency 1,2,5,10): a row per value, "
                 "the curves in report.html\n";
    const int columns = terminal_columns();
    std::cout << '\n'
              << wrap("your own code as one more row: lab run " + s.name +
                          " --app main.py[:app] [--app-path /your/route] (?ms=" +
                          std::to_string(s.load.delay_ms) +
                          " is passed), or a running server: --target http://127.0.0.1:PORT/PATH",
                      columns);
    for (const std::string& exercise : exercise_names())
        if (auto e = find_exercise(exercise); e && e->scenario.lesson == s.name)
            std::cout << wrap(
                "exercise: lab exercise start " + exercise + " DIR (" + e->scenario.title + ")",
                columns);
}

// The lesson before it runs: its question, what it sends, each configuration and its model.
void print_lesson(const Scenario& s) {
    RunResult nothing_yet{s, {}, cores()};  // what would be sent, before anything is measured
    std::cout
        << printable(s.name) << ": " << printable(s.title)
        << "\nsource: " << printable(cited_by_title(s.source)) << "\nruns for: about "
        << fixed(estimated_seconds(s), 0)
        << " s here (each batch and warm-up by its model, and starting each server)\n\n"
        << printable(with_figures(s.teaching, nullptr), true)
        << "\n\nload: " << printable(load_line(nothing_yet))
        << "\n(--requests N, --concurrency C, --delay d in ms, --repeat)\n\nconfigurations:\n";
    print_configurations(s);
    print_claims(s, nothing_yet);
    print_next_steps(s);
}

}  // namespace

Action define_show(CLI::App& app) {
    auto name = std::make_shared<std::string>();
    auto sheet = std::make_shared<bool>(false);
    auto overrides = std::make_shared<Overrides>();
    app.add_option("scenario", *name, "Scenario name")->required();
    app.add_flag("--sheet", *sheet,
                 "Print the lesson's prediction sheet (Markdown, for a handout) instead");
    // (the lesson as `lab run` with the same options would run it)
    declare_overrides(app, *overrides);
    return [name, sheet, overrides] {
        auto s = find_scenario(*name, *overrides);  // (which fills in "{d}" in the labels)
        if (!s) return exit_usage;
        if (*sheet) return print_prediction_sheet(*s, *name);
        print_lesson(*s);
        return exit_ok;
    };
}

}  // namespace lab
