#pragma once
// How long a lesson's run takes, said before it is spent (`lab list`, `lab run`, `lab check`).
#include "lab/scenario/scenario.hpp"

namespace lab {

// About how long run_scenario takes: its batches by the models (each configuration's warm-up
// and batches, an open loop's duration each), and what the rest took when the scenario ran here
// with its file's settings (took_here_s less those settings' batches: services, servers started
// and stopped, pauses between batches); a third of a second a configuration where it never ran.
struct Estimate {
    double seconds = 0;
    bool measured = false;  // from a run here (took_here_s), not from the models alone
    // An exercise's, when its starter took longer (starter_took_here_s): the student's app
    // answering each batch's requests one after another. 0: not known.
    double one_after_another_s = 0;
};
Estimate estimate(const Scenario& scenario);
inline double estimated_seconds(const Scenario& scenario) { return estimate(scenario).seconds; }

}  // namespace lab
