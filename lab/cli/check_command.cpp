#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include "lab/figures/figure_value.hpp"
#include "lab/layout.hpp"
#include "lab/report/claims.hpp"
#include "lab/run/progress.hpp"
#include "lab/run/server_process.hpp"
#include "lab/services/shared_services.hpp"

namespace lab {

namespace {

// What one scenario's check found: the claims that held (and of them, on real FastAPI too), how
// many claims or model gaps the run contradicts and could not judge (others kept the machine's
// cores busy), the lines that say which, and the text it prints.
struct Checked {
    bool ran = true;  // false: a service the scenario needs could not start
    int held = 0, held_on_real = 0, contradicted = 0, unjudged = 0;
    std::string detail = {}, notes = {}, text = {};
};

// A line of the report after `margin` spaces, wrapped to the terminal.
std::string line(int margin, const std::string& text) {
    return indented(wrap(text, std::max(20, terminal_columns() - margin)),
                    std::string(static_cast<std::size_t>(margin), ' '));
}

// Each measured makespan against its model: a gap outside the scenario's tolerance is counted
// (or, on a row others kept from its cores, not judged); a real stack's gap is only noted (the
// lab's model is of its own mode: what a real stack adds is the claims' business).
void held_to_models(const RunResult& run, Checked& out) {
    const Scenario& s = run.scenario;
    for (const ModelGap& g : model_gaps(run)) {
        const std::string measured = g.label + ": measured " + fixed(g.measured) + " s, ";
        if (!g.within && g.real_stack) {
            out.notes += line(4, "· " + measured + "the lab's model " + fixed(g.model) +
                                     " s (what the real stack adds; not counted)");
        } else if (!g.within && !g.not_judged.empty()) {
            ++out.unjudged;
            out.detail += line(4, "– " + measured + "model " + fixed(g.model) + " s: not judged: " +
                                      g.not_judged + ", and this row computes");
        } else if (!g.within) {
            ++out.contradicted;
            out.detail += line(
                4, "✗ " + measured + "model " + fixed(g.model) + " s: more than " +
                       fixed(s.model_tolerance * 100, 0) + " % apart" +
                       (s.model_tolerance_why.empty() ? "" : " (" + s.model_tolerance_why + ")"));
        }
    }
}

// The claims of a run counted (held, contradicted, not judged), with the detail of each that did
// not hold; with twins, every claim's two verdicts, the C++ row's first. With --with-fastapi a
// claim holds only if it holds for the real stack as well: where the two disagree, that is said,
// never hidden behind the C++ row's ✓.
void tally_claims(const RunResult& run, Checked& out) {
    using Outcome = CheckedClaim::Outcome;
    for (const CheckedClaim& c : check_claims(run)) {
        bool real_bad = c.real && c.real->outcome == Outcome::contradicted;
        bool unjudged = c.outcome == Outcome::not_judged && !real_bad;
        bool bad = c.outcome != Outcome::holds && !unjudged;
        (bad ? out.contradicted : unjudged ? out.unjudged : out.held) += 1;
        out.held_on_real += !bad && !unjudged && c.real && c.real->outcome == Outcome::holds;
        if (c.real && !bad && !unjudged)
            out.detail += line(4, std::string(outcome_mark(c.outcome)) + " C++, " +
                                      outcome_mark(c.real->outcome) + " FastAPI: " + c.claim);
        if (!bad && !unjudged) continue;
        out.detail += line(4, std::string(outcome_mark(bad ? Outcome::contradicted : c.outcome)) +
                                  " " + c.claim) +
                      line(6, c.evidence);
        if (c.real)
            out.detail += line(6, std::string(outcome_mark(c.real->outcome)) +
                                      " on real FastAPI: " + c.real->evidence);
        if (std::string differs = stack_disagreement(c); !differs.empty())
            out.detail += line(6, "→ " + differs);
    }
}

// Runs one scenario and holds its text against it: "✓ name: 5 claims hold", then each claim and
// model gap that does not, or that the busy machine left unjudged. The services given on the
// command line, else the shared ones (a fresh database, a flushed Redis), else its own.
Checked check_once(const Scenario& s, const Overrides& overrides, SharedServices& shared) {
    Progress quiet(Progress::Style::quiet);
    RunResult run;
    try {
        LessonServices lent = shared.next_lesson(needs_postgres(s), needs_redis(s));
        run = run_scenario(
            s, {this_executable(), &quiet, overrides.database_url.value_or(lent.database_url),
                overrides.downstream_url.value_or(""), overrides.redis_url.value_or(lent.redis_url),
                nullptr, measure_last_row});
    } catch (const std::runtime_error& e) {  // a service the scenario needs could not start
        return {.ran = false,
                .contradicted = 1,
                .text = "✗ " + printable(s.name) + ": " + printable(e.what(), true) + '\n'};
    }
    Checked out;
    tally_claims(run, out);
    held_to_models(run, out);
    for (const auto& r : run.configurations)
        if (!r.error.empty()) {
            ++out.contradicted;
            out.detail += line(4, "✗ " + r.configuration.label + ": " + r.error);
        }
    out.text =
        std::string(out.contradicted ? "✗ "
                    : out.unjudged   ? "– "
                                     : "✓ ") +
        printable(s.name) + ": " + std::to_string(out.held) + " claims hold" +
        (out.held_on_real
             ? " (" + std::to_string(out.held_on_real) + " of them on real FastAPI too)"
             : "") +
        (out.contradicted ? ", " + std::to_string(out.contradicted) + " do not" : "") +
        (out.unjudged ? ", " + std::to_string(out.unjudged) + " not judged (the machine was busy)"
                      : "") +
        "\n" + out.detail + out.notes;
    return out;
}

// A scenario checked, and checked once more when others kept the machine busy: a claim is judged
// when a run lets it be, and said to be not judged when neither does.
Checked check_one(const Scenario& s, const Overrides& overrides, SharedServices& shared) {
    Checked first = check_once(s, overrides, shared);
    if (first.ran && first.contradicted == 0 && first.unjudged > 0) {
        std::cout << first.text << "  (" << printable(s.name)
                  << " runs once more: others kept the machine busy)\n";
        first = check_once(s, overrides, shared);
    }
    std::cout << first.text << std::flush;
    return first;
}

struct CheckOptions {
    std::vector<std::string> names;
    Overrides overrides;
    bool quick = false;
    TwinOptions twins;
    double under_s = 0;
};

// The scenarios `lab check` runs, with the overrides applied and twinned (their notices said),
// those over --under skipped (counted); nullopt (said) for a name or an option that is wrong.
std::optional<std::vector<Scenario>> scenarios_to_check(const CheckOptions& o,
                                                        const Overrides& overrides, int& skipped) {
    std::vector<std::string> names = o.names;
    if (names.empty())
        for (const std::filesystem::path& file : scenario_files(scenario_dir()))
            names.push_back(file.stem().string());
    std::vector<Scenario> to_run;
    for (const std::string& name : names) {
        auto found = find_scenario(name, overrides, "lab check");
        if (!found) return std::nullopt;
        found->load.ramp_max_in_flight = 0;  // no claim reads a knee (lesson_knees_test.py does)
        to_run.push_back(twinned(std::move(*found), o.twins));
        for (const std::string& notice : to_run.back().notices) said("lab check: notice", notice);
        if (o.under_s > 0 && estimated_seconds(to_run.back()) > o.under_s) {
            std::cout << "- " << name << ": skipped (about "
                      << fixed(estimated_seconds(to_run.back()), 0) << " s, over --under)\n";
            to_run.pop_back();
            ++skipped;
        }
    }
    return to_run;
}

// How long the scenarios take, as `lab check` says it first (their estimates); returned.
double said_how_long(const std::vector<Scenario>& to_run) {
    double left = 0;
    int untimed = 0;  // never run here: estimated by their models alone
    for (const Scenario& s : to_run) left += estimated_seconds(s), untimed += !estimate(s).measured;
    std::cerr << "lab check: " << to_run.size() << " scenarios, about " << fixed(left, 0) << " s ("
              << (untimed == 0 ? std::string("as they took here, their batches by the models")
                               : std::to_string(untimed) +
                                     " of them by their models alone: never timed here")
              << ")\n";
    return left;
}

}  // namespace

// `lab check`: runs scenarios and holds each against its own text: every [[expect]] must hold and
// every measured makespan stay within the scenario's tolerance of its model; with --with-fastapi,
// every claim on each row's real FastAPI twin too. It says first how long the models say it will
// take, and on stderr which scenario runs and how long is left.
Action define_check(CLI::App& app) {
    auto o = std::make_shared<CheckOptions>();
    app.add_option("scenarios", o->names,
                   "Scenario names or .toml files (default: every scenario)");
    declare_overrides(app, o->overrides);
    app.add_flag("--quick", o->quick,
                 "One measured batch per configuration (unless --repeat says otherwise)");
    declare_twins(
        app, o->twins,
        "Also run each configuration's real FastAPI twin, and hold every claim against it as well");
    app.add_option("--under", o->under_s,
                   "Only scenarios whose models say they take less than this many seconds")
        ->check(CLI::Range(0.1, 100'000.0));
    return [o] {
        Overrides overrides = o->overrides;
        if (o->quick && !overrides.repeat) overrides.repeat = 1;
        stop_servers_on_signals();
        int failed = 0, skipped = 0, unjudged = 0;
        auto scenarios = scenarios_to_check(*o, overrides, skipped);
        if (!scenarios) return exit_usage;
        std::vector<Scenario>& to_run = *scenarios;
        // PostgreSQL and Redis started once for the lessons needing them, unless given.
        SharedServices shared(
            !overrides.database_url && std::ranges::any_of(to_run, needs_postgres),
            !overrides.redis_url && std::ranges::any_of(to_run, needs_redis));
        double left = said_how_long(to_run);
        for (std::size_t k = 0; k < to_run.size(); ++k) {
            std::cerr << "[" << k + 1 << "/" << to_run.size() << "] " << printable(to_run[k].name)
                      << " (about " << fixed(estimated_seconds(to_run[k]), 0) << " s; "
                      << fixed(left, 0) << " s left)\n";
            Checked checked = check_one(to_run[k], overrides, shared);
            failed += checked.contradicted > 0;
            unjudged += checked.contradicted == 0 && checked.unjudged > 0;
            left -= estimated_seconds(to_run[k]);
        }
        std::cout << (failed     ? std::to_string(failed) + " scenarios contradict their texts"
                      : unjudged ? "no scenario contradicts its text; " + std::to_string(unjudged) +
                                       " could not be judged whole (the machine was busy twice: "
                                       "run them again when it is quieter)"
                                 : "every scenario checked bears out its text")
                  << (skipped ? " (" + std::to_string(skipped) + " skipped)" : "") << '\n';
        return failed ? exit_failed : exit_ok;
    };
}

}  // namespace lab
