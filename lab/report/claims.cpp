#include "lab/report/claims.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "lab/modes/modes.hpp"
#include "lab/figures/busy_machine.hpp"
#include "lab/figures/figure_value.hpp"
#include "lab/layout.hpp"
#include "lab/report/exercise_waves.hpp"
#include "lab/report/sweep_curves.hpp"

namespace lab {
namespace {

// Every configuration the scenario file lists at `place`: its own rows (a lab mode, or an
// exercise's student app), not FastAPI twins nor rows added from the command line (number 0); in
// a sweep, each of the row's points.
std::vector<const ConfigurationResult*> points_of(const RunResult& run, int place) {
    std::vector<const ConfigurationResult*> rows;
    for (const auto& r : run.configurations)
        if (r.configuration.number == place && r.configuration.server != Server::fastapi)
            rows.push_back(&r);
    return rows;
}

// The value a claim (or a figure the text cites) is about: `at` if it names one, else its row's.
int value_about(const Configuration& c, std::optional<int> at) {
    return at ? *at : c.sweep_home.value_or(c.sweep_value.value_or(0));
}

// The configuration a claim of row `place` is checked on: the row itself, or in a sweep its point
// at the value the claim is about (none if the sweep has no such point, or --only left it out).
const ConfigurationResult* row_at(const RunResult& run, int place,
                                  std::optional<int> at = std::nullopt) {
    for (const ConfigurationResult* r : points_of(run, place))
        if (!r->configuration.sweep_value ||
            *r->configuration.sweep_value == value_about(r->configuration, at))
            return r;
    return nullptr;
}

// The row at `place` that stands beside `r`: in a sweep, its point at the same value.
const ConfigurationResult* row_beside(const RunResult& run, int place,
                                      const ConfigurationResult& r) {
    for (const ConfigurationResult* other : points_of(run, place))
        if (!other->configuration.sweep_value ||
            other->configuration.sweep_value == r.configuration.sweep_value)
            return other;
    return nullptr;
}

// What the bound multiplies, in the figure's own unit, and how to say it.
struct Reference {
    std::optional<double> value;
    std::string said;  // how the text names it: "the model", "d", "an even share, ceil(N/W) of N",
                       // another row
};

Reference reference_of(const Expectation& e, const ConfigurationResult& r, const RunResult& run) {
    const Load& load = r.load;
    // A time bound in the figure's unit
    double per_second = info(e.figure).unit == "ms" ? 1000.0 : 1.0;
    const Configuration& c = r.configuration;
    if (e.relative_to == "model")
        return {r.model.formula.empty() ? std::nullopt : std::optional(r.model_s * per_second),
                "the model"};
    if (e.relative_to == "d") return {load.delay_ms / 1000.0 * per_second, "d"};
    // One request's own time here: d and what each adds of its own (a connection made for each),
    // which a busy machine stretches as it stretches the batch.
    if (e.relative_to == "answer") {
        const std::optional<double> quickest = r.figure(Figure::answer_min);
        return {quickest ? std::optional(*quickest / 1000.0 * per_second) : std::nullopt,
                "its quickest answer"};
    }
    // K: the requests the model serves at once here (a pool's T, or fewer with fewer requests).
    if (e.relative_to == "K") {
        if (r.model.formula.empty()) return {std::nullopt, "K"};
        int k = std::min(load.requests, load.concurrency);
        if (r.model.at_once > 0) k = std::min(k, r.model.at_once);
        return {static_cast<double>(k), "K, the model's at once"};
    }
    // A rate, for throughput: one request, T, W or N requests every d.
    if (e.relative_to.ends_with("/d")) {
        if (load.delay_ms <= 0) return {std::nullopt, e.relative_to};  // no rate without a wait
        const std::string x = e.relative_to.substr(0, e.relative_to.size() - 2);
        double many = x == "T" ? c.threads : x == "W" ? c.workers : x == "N" ? load.requests : 1;
        return {many / (load.delay_ms / 1000.0), e.relative_to};
    }
    // share: one of W processes' even part of the N requests, ceil(N/W), in % as busiest_worker is.
    if (e.relative_to == "share") {
        const int w = std::max(1, serving_processes(c)), n = load.requests;
        return {100.0 * ((n + w - 1) / w) / std::max(1, n), "an even share, ceil(N/W) of N"};
    }
    if (e.relative_to == "N") return {static_cast<double>(c.requests.value_or(load.requests)), "N"};
    if (e.relative_to == "T") return {static_cast<double>(c.threads), "T"};
    if (e.relative_to == "W") return {static_cast<double>(c.workers), "W"};
    if (e.relative_to == "P") return {static_cast<double>(c.db_pool), "P"};
    if (e.relative_to == "row") {
        const ConfigurationResult* other = row_beside(run, e.relative_row, r);
        if (!other) return {std::nullopt, "row " + std::to_string(e.relative_row)};
        return {other->figure(e.figure), "“" + other->configuration.label + "”"};
    }
    return {1.0, ""};
}

std::string bound_text(const Expectation& e, double factor, const Reference& ref,
                       const char* sign) {
    std::string text = std::string(sign) + " ";
    if (e.relative_to.empty()) return text + figure_text(e.figure, factor);
    std::string times = factor == 1 ? "" : fixed(factor, 2) + " × ";
    return text + times + ref.said + " (" + figure_text(e.figure, factor * *ref.value) + ")";
}

// A bound the figure broke, in words that are true of it: "more than the 0.200 s expected (at
// most 2.00 × d)", never the relation that failed.
std::string broken_bound_text(const Expectation& e, double factor, const Reference& ref,
                              bool at_least) {
    std::string text = std::string(at_least ? "less than the " : "more than the ") +
                       figure_text(e.figure, factor * *ref.value) + " expected";
    if (e.relative_to.empty()) return text;
    return text + " (" + (at_least ? "at least " : "at most ") +
           (factor == 1 ? "" : fixed(factor, 2) + " × ") + ref.said + ")";
}

// A student's app needs the cores for its own Python (each request parsed, a connection made),
// though its requests wait: a broken bound is the machine's only where the app's own figures fit
// it: the waves its server counted (the requests waited together, as the claim says), or the loop
// time its own code took a request (the probe's ledger). Said how; "" where they do not fit.
std::string app_within(const Expectation& e, const ConfigurationResult& r, double reference) {
    if (!e.at_most) return "";
    if (const int waves = waves_of(r).count();
        e.figure == Figure::measured && waves > 0 && waves <= *e.at_most)
        return "your app's requests ran in waves that fit the bound";
    const double own_ms = r.median_batch < r.batches.size()
                              ? r.batches[r.median_batch].server.held_per_request_ms
                              : -1;
    if (e.figure == Figure::loop_blocked && own_ms >= 0 && own_ms <= *e.at_most * reference)
        return fmt::format(
            "your app's own code held the loop {:.1f} ms a request (the median), within the bound",
            own_ms);
    return "";
}

// Why a broken bound is not judged: what others took from the cores its figures were measured on
// (its row's, or the row it is compared with), and why that row needed them; none where nothing
// says the machine broke it (a student's app's own figures must fit the bound: app_within).
std::optional<std::string> busy_machine_broke(const Expectation& e, const ConfigurationResult& r,
                                              const RunResult& run, double reference) {
    std::optional<Disturbance> busy;
    std::string needed = "this row computes";
    if (r.configuration.server == Server::app) {
        needed = app_within(e, r, reference);
        if (!needed.empty()) busy = busiest_batch(r);
    } else if (!(busy = disturbance(r)) && e.relative_to == "row") {
        const ConfigurationResult* other = row_beside(run, e.relative_row, r);
        if (other) busy = disturbance(*other);
    }
    if (!busy) return std::nullopt;
    return busy->said() + ", and " + needed;
}

// A claim on the loop, of a student's app whose probe located the hold: what the doctor would say
// of it (where, and the fix table's fix), in place of the text's guess of what the student wrote.
// A batch too slow while the loop was free for most of it: the waves the server counted, never
// "one after another on the loop's thread".
std::string measured_meaning(const Expectation& e, const ConfigurationResult& r) {
    const std::optional<double> held_ms = r.figure(Figure::loop_blocked);
    if (e.figure == Figure::measured && held_ms && *held_ms < 500 * r.makespan.median)
        if (std::string waves = waves_text(waves_of(r)); !waves.empty())
            return fmt::format("the loop was free (held {:.1f} ms of the {:.3f} s batch). {}",
                               *held_ms, r.makespan.median, waves);
    if (e.figure != Figure::loop_blocked || r.median_batch >= r.batches.size()) return "";
    const ServerAccount& said = r.batches[r.median_batch].server;
    if (said.held_fix.empty()) return "";
    return fmt::format("your code held the loop {:.1f} ms a request at {}: {}",
                       said.held_per_request_ms, said.held_where, said.held_fix);
}

// One claim held against one row: its figure, the bound, and whether the figure is within it.
CheckedClaim judge(const Expectation& e, const ConfigurationResult& r, const RunResult& run) {
    CheckedClaim c;
    c.claim = e.claim;
    c.meaning = measured_meaning(e, r);
    if (c.meaning.empty() && !e.meaning.empty()) c.meaning = with_figures(e.meaning, &run);
    const std::optional<double> value = r.figure(e.figure);
    Reference ref = reference_of(e, r, run);
    c.evidence = r.configuration.label + ": " + name_of(e.figure) + " ";
    if (!value || !ref.value) {  // said with its reason: a bare "not measured" ? teaches nothing
        c.evidence += "not measured: " + (!value ? why_not_measured(e.figure, r, r.load)
                                                 : "no " + ref.said + " to bound it by");
        return c;
    }
    c.evidence += figure_text(e.figure, *value);
    bool holds = true, first = true;
    for (bool at_least : {true, false}) {
        const std::optional<double>& factor = at_least ? e.at_least : e.at_most;
        if (!factor) continue;
        const bool kept =
            at_least ? *value >= *factor * *ref.value : *value <= *factor * *ref.value;
        holds &= kept;
        c.evidence +=
            kept ? (first ? " " : " and ") + bound_text(e, *factor, ref, at_least ? "≥" : "≤")
                 : ", " + broken_bound_text(e, *factor, ref, at_least);
        first = false;
    }
    c.outcome = holds ? CheckedClaim::Outcome::holds : CheckedClaim::Outcome::contradicted;
    // A machine others keep busy changes what computing threads do, both ways: slower batches, and
    // a GIL passed among fewer threads at once (gil-convoy's worst wait came out shorter than its
    // floor). A broken bound on such a row is not judged, whichever way it broke; unless its
    // figure is one no busy machine moves (a count of jobs done once none waits).
    if (!holds && info(e.figure).a_busy_machine_moves)
        if (auto why = busy_machine_broke(e, r, run, *ref.value)) {
            c.outcome = CheckedClaim::Outcome::not_judged;
            c.evidence += ": not judged: " + *why;
        }
    return c;
}

// The row's twin on the real stack (--with-fastapi), if the run has one.
const ConfigurationResult* twin_of(const RunResult& run, const ConfigurationResult& r) {
    for (const auto& other : run.configurations)
        if (other.configuration.server == Server::fastapi &&
            other.configuration.number == r.configuration.number &&
            other.configuration.sweep_value == r.configuration.sweep_value)
            return &other;
    return nullptr;
}

// The same claim on the twin: judged the same way, unless the twin runs something else (CPython's
// GIL where the row computes without one), which the claim does not speak of. Only a row whose
// threads can compute at once (a pool, or workers that each run one) makes its twin a different
// experiment: a loop computes on one thread anyway.
CheckedClaim::OnRealStack judged_on_twin(const Expectation& e, const ConfigurationResult& r,
                                         const ConfigurationResult& twin, const RunResult& run) {
    const Configuration& c = r.configuration;
    const ModeInfo* m = find_mode(served_by_workers(c.mode) ? c.worker_mode : c.mode);
    if (twin.configuration.gil != c.gil && run.scenario.load.work_path() == "/cpu" && m &&
        m->takes_threads)
        return {CheckedClaim::Outcome::not_measured,
                twin.configuration.label +
                    ": not checked: the real stack computes under "
                    "CPython's GIL, the row without one"};
    CheckedClaim judged = judge(e, twin, run);
    return {judged.outcome, judged.evidence};
}

}  // namespace

std::optional<CheckedClaim> check_claim(const RunResult& run, const Expectation& e) {
    auto points = points_of(run, e.row);
    if (points.empty()) return std::nullopt;  // its row was left out (--only): nothing to check
    const ConfigurationResult* r = row_at(run, e.row, e.at);
    // A claim about a value this run did not measure: said, not checked.
    if (!e.not_here.empty() || !r) {
        const Configuration& any = points.front()->configuration;
        return CheckedClaim{
            .outcome = CheckedClaim::Outcome::not_measured,
            .claim = e.claim,
            .evidence = (any.series.empty() ? any.label : any.series) + ": not checked: " +
                        (!e.not_here.empty() ? e.not_here
                                             : "this sweep has no point at " + swept_symbol(run) +
                                                   " = " + std::to_string(value_about(any, e.at)))};
    }
    CheckedClaim checked = judge(e, *r, run);
    if (const ConfigurationResult* twin = twin_of(run, *r))
        checked.real = judged_on_twin(e, *r, *twin, run);
    return checked;
}

std::vector<CheckedClaim> check_claims(const RunResult& run) {
    std::vector<CheckedClaim> out;
    for (const Expectation& e : run.scenario.expectations)
        if (auto checked = check_claim(run, e)) out.push_back(std::move(*checked));
    return out;
}

std::string stack_disagreement(const CheckedClaim& c) {
    using O = CheckedClaim::Outcome;
    if (!c.real || c.real->outcome == O::not_measured || c.outcome == O::not_measured ||
        c.real->outcome == c.outcome)
        return "";
    return c.outcome == O::holds ? "holds for the lab's C++ row, not for the real FastAPI stack"
                                 : "holds for the real FastAPI stack, not for the lab's C++ row";
}

std::vector<ModelGap> model_gaps(const RunResult& run) {
    std::vector<ModelGap> gaps;
    for (const auto& r : run.configurations) {
        if (!r.error.empty() || r.model.formula.empty() || r.model_s <= 0 ||
            run.scenario.load.rate > 0)
            continue;
        ModelGap g{.label = r.configuration.label,
                   .measured = r.makespan.median,
                   .model = r.model_s,
                   .real_stack = r.configuration.server == Server::fastapi};
        g.within = std::abs(g.measured - g.model) <= run.scenario.model_tolerance * g.model;
        if (!g.within && g.measured > g.model)
            if (auto busy = disturbance(r)) g.not_judged = busy->said();
        gaps.push_back(g);
    }
    return gaps;
}

std::string with_figures(const std::string& text, const RunResult* run) {
    static const std::regex placeholder(cited_figure_pattern);
    std::string out;
    auto last = text.cbegin();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), placeholder);
         it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        out.append(last, m[0].first);
        last = m[0].second;
        const std::optional<Figure> figure = named<Figure>(m[1].str());
        std::string shown = !figure ? m[0].str()  // not a placeholder of ours: as written
                                    : "[" + m[1].str() + " of row " + m[2].str() + "]";
        if (run && figure)
            if (const ConfigurationResult* r = row_at(*run, std::stoi(m[2])))
                if (auto value = r->figure(*figure)) shown = figure_text(*figure, *value);
        out += shown;
    }
    out.append(last, text.cend());
    return out;
}

std::string claims_text(const std::vector<CheckedClaim>& claims, int columns, bool colour) {
    if (claims.empty()) return "";
    std::string out = "What the lesson claims, checked against this run:\n";
    auto under = [&](const std::string& text) { out += indented(wrap(text, columns - 4), "    "); };
    for (const CheckedClaim& c : claims) {
        using O = CheckedClaim::Outcome;
        const char* mark = outcome_mark(c.outcome);
        const char* paint = !colour                      ? ""
                            : c.outcome == O::holds      ? "\033[32m"
                            : c.outcome == O::not_judged ? "\033[33m"
                                                         : "\033[1;31m";
        // "✓ the claim, wrapped" with its evidence indented below it.
        out += std::string(paint) + mark + (colour ? "\033[0m" : "") + " " +
               indented(wrap(c.claim, columns - 2), "  ").substr(2);
        under(c.evidence +
              (c.outcome == O::contradicted ? ": this run contradicts the sentence above" : ""));
        if (c.outcome == O::contradicted && !c.meaning.empty()) under("→ " + c.meaning);
        if (c.real) {  // --with-fastapi: the same claim on the real stack, said even when it agrees
            under(std::string(outcome_mark(c.real->outcome)) +
                  " on real FastAPI: " + c.real->evidence);
            if (std::string differs = stack_disagreement(c); !differs.empty())
                under("→ " + differs);
        }
    }
    return out;
}

}  // namespace lab
