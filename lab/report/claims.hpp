#pragma once
// What a lesson's text claims, held against the run that was just made. A text cites the run's
// own figures through placeholders ("{measured:2}", filled here), and each qualitative claim is an
// [[expect]] of its scenario that every run checks and shows with ✓ or ✗.
#include <optional>
#include <string>
#include <vector>

#include "lab/run/run_result.hpp"

namespace lab {

struct CheckedClaim {
    // not_judged: the figure broke its bound on a machine others kept busy (busy_machine.hpp).
    enum class Outcome { holds, contradicted, not_measured, not_judged };
    Outcome outcome = Outcome::not_measured;
    std::string claim;  // the sentence it supports
    std::string evidence;  // "def + time.sleep(0.2): probe_max 0.4 ms ≤ 50.0 ms"
    // An exercise's: what a ✗ says of the student's code, its figures filled in
    std::string meaning = {};
    // With --with-fastapi, the same claim held against the row's twin on the real stack.
    struct OnRealStack {
        Outcome outcome = Outcome::not_measured;
        std::string evidence;
    };
    std::optional<OnRealStack> real = {};
};
std::vector<CheckedClaim> check_claims(const RunResult& run);
// One claim (or a choice's sentence) held against the run; none when its row was left out.
std::optional<CheckedClaim> check_claim(const RunResult& run, const Expectation& e);

// ✓, ✗, ? (not measured) or – (not judged), and the page's class for it.
inline const char* outcome_mark(CheckedClaim::Outcome o) {
    using O = CheckedClaim::Outcome;
    return o == O::holds ? "✓" : o == O::contradicted ? "✗" : o == O::not_judged ? "–" : "?";
}
inline const char* outcome_class(CheckedClaim::Outcome o) {
    return o == CheckedClaim::Outcome::holds          ? "holds"
           : o == CheckedClaim::Outcome::contradicted ? "contradicted"
                                                      : "unmeasured";
}

// "holds for the lab's C++ row, not for the real FastAPI stack" (or the other way round) when the
// claim's two judgements differ; empty when they agree or either was not judged.
std::string stack_disagreement(const CheckedClaim& c);

// How far each configuration's measured makespan is from its model, against the scenario's
// tolerance (`lab check` fails a row outside it).
struct ModelGap {
    std::string label;
    double measured = 0, model = 0;
    bool within = true;
    // A FastAPI twin: the model is the lab's mode's, so its gap is the stack's own cost
    bool real_stack = false;
    // Slower than its model while others took its cores: what they took
    std::string not_judged = {};
};
std::vector<ModelGap> model_gaps(const RunResult& run);

// `text` with each "{figure:row}" replaced by that figure of that configuration in `run`
// ("1.004 s"); without a run (`lab show`), by what it will be: "[measured of row 2]".
std::string with_figures(const std::string& text, const RunResult* run);

// The claims as lines for the terminal, within `columns`: "✓ claim" and, indented, the evidence.
std::string claims_text(const std::vector<CheckedClaim>& claims, int columns, bool colour);

}  // namespace lab
