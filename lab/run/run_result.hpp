#pragma once
// What a run keeps: for each configuration its model, its measured batches and what the server
// said of itself. Written to the results folder (lab/results/) and shown by lab/report/.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "harness/load_generator.hpp"
#include "lab/modes/model.hpp"
#include "harness/open_loop.hpp"
#include "harness/statistics.hpp"
#include "lab/cpu_taken.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// The targets of a `lab load` as it was given them (path, then more_paths) and their weights.
std::vector<WeightedTarget> load_targets(const Load& load);

// The scenario's load in the model's terms, and the model of one configuration.
Workload workload_of(const Load& load);
Model model_of(const Configuration& configuration, const Load& load);
// What the model predicts a configuration's batch takes, under its own share of the scenario's
// load.
double model_makespan_s(const Configuration& configuration, const Load& scenario_load);
// Whether the document's figure is below the load's physical floor (lab/modes/model.hpp): it
// cannot have been measured as described (the table marks it with a †).
bool document_below_floor(const Configuration& configuration, const Load& load, int cores);
int cores();  // online processors, which the CPU models use

struct ConfigurationResult {
    Configuration configuration;
    Load load;  // the load it ran: the scenario's, with this configuration's own N, C or d (a
                // sweep's point)
    Model model;
    double model_s = 0;
    std::vector<Batch> batches;  // the measured ones; the warm-up is not kept
    std::vector<BatchStats> stats;
    std::vector<double> loop_blocked_ms;  // per batch: the longest the server's loop was kept from
                                          // its work (GET /stats)
    std::vector<int> max_computing;  // per batch: most threads computing /cpu at one moment
    // A probed app's (lab/reference/app_probe.py), per batch: the median request's own time on
    // the loop (its task's steps, its middleware's and background tasks' included), -1 unknown;
    // and where the longest hold was ("app/vendor_sdk.py:7 exchange_rate → time.sleep").
    std::vector<double> held_per_request_ms;
    std::vector<std::string> held_where;
    std::vector<std::string> held_fix;  // what to change where it held the loop (the fix table's)
    // Per batch: the CPU the lab and its servers got, and what others took
    std::vector<BatchCpu> cpu;
    // Per batch, a student's app on a Redis: the jobs RQ's registries say finished for it (-1: none
    // counted).
    std::vector<long> jobs_done;
    Spread makespan;
    std::size_t median_batch = 0;  // the batch whose makespan is the median: timeline, verdict
    std::string verdict;
    std::string error;  // why this configuration could not run, if it could not
    std::vector<OpenLoopResult> open_loop;  // per batch, for open-loop loads (rate > 0)
    long peak_rss_kib = -1;  // the server's processes' high-water marks of resident memory, summed
    long pss_kib = -1;  // their proportional set size after the last batch (shared pages split);
                        // WebSockets: while held
    long pss_before_kib = -1;  // WebSockets: their PSS before the last batch's connections opened
    std::string server_log;  // what its server wrote to stderr (e.g. "loop blocked for ...")
    // Each figure's value (nullopt: not measured), computed once after it ran or was read back
    // (lab/figures/figure_value.hpp): what the report, the claims and the terminal show.
    std::array<std::optional<double>, std::size(Names<Figure>::list)> figures{};
    std::optional<double> figure(Figure f) const { return figures[static_cast<std::size_t>(f)]; }
};

struct RunResult {
    Scenario scenario;
    std::vector<ConfigurationResult> configurations;
    int cores = lab::cores();  // of the machine that ran it: the CPU models and floors use it
    double run_s = 0;  // how long the whole run took, services and servers started and stopped
    bool cpus_kept_awake = false;  // idle CPUs kept from sleeping deeply (lab/awake_cpus.hpp)
    bool ok() const;  // every server started and every request was answered
    // Why the run as a whole failed, or "": a server that did not run, or a batch that mostly got
    // no answer. Then it measured the failure, not the servers, and nothing in it can be judged.
    std::string failure() const;
};

}  // namespace lab
