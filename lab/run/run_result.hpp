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
#include "harness/tally.hpp"
#include "lab/cpu_taken.hpp"
#include "lab/run/knee.hpp"
#include "lab/run/server_account.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// The targets of a `lab load` as it was given them (path, then more_paths) and their weights.
std::vector<WeightedTarget> load_targets(const Load& load);

// The scenario's load in the model's terms.
Workload workload_of(const Load& load);
int cores();  // online processors, which the CPU models use

// Each figure's value (nullopt: not measured), computed once after a run or a read
// (lab/figures/figure_value.hpp): what the report, the claims, the diff and the terminal show.
struct FigureValues {
    std::array<std::optional<double>, std::size(Names<Figure>::list)> figures{};
    std::optional<double> figure(Figure f) const { return figures[static_cast<std::size_t>(f)]; }
};

// One measured batch as the run keeps it and its results folder gives it back: its requests and
// probes (requests.csv), their statistics, and what was said of it besides (summary.json).
struct BatchRecord : Batch, FigureValues {
    BatchRecord() = default;
    explicit BatchRecord(Batch batch) : Batch(std::move(batch)) {}
    BatchStats stats;
    // The server's own account (GET /stats): how long its loop was held, how many computed at
    // once, and for a probed app where its code held the loop (-1 or empty: it gave none).
    ServerAccount server;
    BatchCpu cpu;  // the CPU the lab and its servers got, and what others took
    // A student's app on a Redis: the jobs RQ's registries say finished for it (-1: none counted)
    long jobs_done = -1;
    OpenLoopLatencies open_loop;  // an open-loop load's (rate > 0); empty for a closed loop
    // (and its figures, as if it were its row's only batch: what `lab diff` tests over batches)
};

struct ConfigurationResult : FigureValues {
    Configuration configuration;
    // the load it ran: the scenario's, with this configuration's own N, C or d (a sweep's point)
    Load load;
    Model model;
    double model_s = 0;
    std::vector<BatchRecord> batches;  // the measured ones; the warm-up is not kept
    Spread makespan;
    std::size_t median_batch = 0;  // the batch whose makespan is the median: timeline, verdict
    Verdict verdict;
    std::string error;  // why this configuration could not run, if it could not
    long peak_rss_kib = -1;  // the server's processes' high-water marks of resident memory, summed
    // their proportional set size after the last batch (shared pages split); WebSockets: while held
    long pss_kib = -1;
    long pss_before_kib = -1;  // WebSockets: their PSS before the last batch's connections opened
    std::string server_log;  // what its server wrote to stderr (e.g. "loop blocked for ...")
    // A lesson that ramps ([load] ramp_max_in_flight): its steps, by requests in flight, and its
    // knee's cause (lab/run/lesson_ramp.hpp)
    std::vector<RampStep> ramp;
    std::string knee_cause;
    // An open loop's latencies, merged over its batches (empty for a closed loop): measured with
    // its figures, below.
    OpenLoopLatencies open_loop;
    // Whether the document's figure is below the load's physical floor: it cannot have been
    // measured as described (the table marks it with a †).
    bool document_below_floor = false;
    // What the model predicts in the report's terms, measured with its figures: each request's
    // finish in order (the timeline's marks), and an open loop's p99 from due, in words.
    std::vector<double> model_finishes_s;
    std::string open_loop_model;
};

// What a `lab load` measured, added up once over its runs: per endpoint and in all.
struct LoadFigures {
    std::vector<WeightedTarget> targets;  // the URLs' paths as given, and their weights
    std::vector<Tally> endpoints;  // one per target
    Tally all;
    double seconds = 0;  // each run's span (first due to last answer), added up
    int unfinished = 0;  // -z: in flight when the time was up
    std::int64_t not_recorded = 0;  // counted, but past requests.csv's limit
    bool counted_all = true;  // false when read back from a folder that holds only the first
    // --probe: the bystander's requests, one at a time apart from the load (head-of-line blocking).
    std::optional<Tally> bystander;
    std::string probe_path;
    int probe_every_ms = 0;
    double per_second(const Tally& t) const {
        return seconds > 0 ? static_cast<double>(t.requests) / seconds : 0;
    }
};

// A configuration before it runs: the load it runs (the scenario's, with its own N, C or d) and
// what its model predicts of it. The runner starts from it; `lab show` and the live page print it.
ConfigurationResult planned(const Configuration& configuration, const Load& scenario_load);

struct RunResult {
    Scenario scenario;
    std::vector<ConfigurationResult> configurations;
    int cores = lab::cores();  // of the machine that ran it: the CPU models and floors use it
    double run_s = 0;  // how long the whole run took, services and servers started and stopped
    bool cpus_kept_awake = false;  // idle CPUs kept from sleeping deeply (lab/awake_cpus.hpp)
    bool ok() const;  // every server started and every request was answered
    // Why the run as a whole failed, or "": a server that did not run, or a batch that mostly got
    // no answer (a WebSocket load's connections are held, not answered: its claims judge what they
    // read). Then it measured the failure, not the servers, and nothing in it can be judged.
    std::string failure() const;
    // Measured once with each row's figures (lab/figures/figure_value.hpp), after it ran or was
    // read back: the fastest the scenario's load could be served on these cores, and why;
    // `lab load`'s figures, added up.
    double physical_floor_s = 0;
    std::string physical_floor_reason{};
    LoadFigures load_figures{};
};

}  // namespace lab
