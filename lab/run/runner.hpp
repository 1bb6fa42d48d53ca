#pragma once
// `lab run`: for each configuration of a scenario, start its server, send a warm-up batch and
// then the measured batches, stop the server, and keep every request's record.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/load_generator.hpp"
#include "harness/models.hpp"
#include "harness/open_loop.hpp"
#include "harness/statistics.hpp"
#include "lab/live/live_hub.hpp"
#include "lab/run/progress.hpp"
#include "lab/run/scenario.hpp"

namespace lab {

// What the command line may override in a scenario; unset means "as the scenario says".
struct Overrides {
    std::optional<int> requests, concurrency, delay_ms, repeat, threads, workers;
    std::optional<std::string> balance;
    std::optional<std::string> only;  // one configuration: its label, or its place from 1
    std::optional<int> db_pool;       // /db: connections per server process
    std::optional<std::string> database_url;    // /db: an existing PostgreSQL (not an override: where to run)
    std::optional<std::string> downstream_url;  // /fetch: an existing server answering /delay
    std::optional<std::string> redis_url;       // /cache: an existing Redis
    std::optional<Sweep> sweep;                 // one of the numeric options above, given a list
    // Whether `option` (a sweep's name for it) was given one value.
    bool single(const std::string& option) const;
};

// `text` with the values one configuration runs with in place of its placeholders: {d} the wait
// in seconds as the documents write it (time.sleep(0.1)), {d_ms} in ms, {T} the pool's threads,
// {W} the workers, {N} the requests, {C} the connections at once, {P} the database pool, {Q} the
// queue workers, {H} the hosts behind nginx, {waves} a pool's ceil(N/T), {every_ms} the
// bystander's interval, {stagger_ms} the connections' stagger.
void fill_values(std::string& text, const Configuration& c, const Load& own);

// The scenario as it will run: overrides applied; labels, claims, title and text built from the
// values that run.
// Throws std::invalid_argument for an --only that names no configuration, or a sweep that cannot run.
Scenario apply(Scenario scenario, const Overrides& overrides);

// One line for each override that applies to none of the scenario's configurations.
std::vector<std::string> unused_overrides(const Scenario& scenario, const Overrides& overrides);

// The targets of a `lab load` as it was given them (path, then more_paths) and their weights.
std::vector<WeightedTarget> load_targets(const Load& load);

// The scenario's load in the model's terms, and the model of one configuration.
Workload workload_of(const Load& load);
Model model_of(const Configuration& configuration, const Load& load);
int cores();  // online processors, which the CPU models use

struct ConfigurationResult {
    Configuration configuration;
    Model model;
    double model_s = 0;
    std::vector<Batch> batches;  // the measured ones; the warm-up is not kept
    std::vector<BatchStats> stats;
    std::vector<double> loop_blocked_ms;  // per batch: the longest the server's loop was kept from its work (GET /stats)
    std::vector<int> max_computing;   // per batch: most threads computing /cpu at one moment
    Spread makespan;
    std::size_t median_batch = 0;  // the batch whose makespan is the median: timeline, verdict
    std::string verdict;
    std::string error;  // why this configuration could not run, if it could not
    std::vector<OpenLoopResult> open_loop;  // per batch, for open-loop loads (rate > 0)
    long peak_rss_kib = -1;  // the server's processes' high-water marks of resident memory, summed
    long pss_kib = -1;       // their proportional set size after the last batch (shared pages split)
    std::string server_log;  // what its server wrote to stderr (e.g. "loop blocked for ...")
};

struct RunResult {
    Scenario scenario;
    std::vector<ConfigurationResult> configurations;
    int cores = lab::cores();  // of the machine that ran it: the CPU models and floors use it
    double run_s = 0;          // how long the whole run took, services and servers started and stopped
    bool ok() const;  // every server started and every request was answered
};

struct RunSettings {
    std::string server_binary;  // the `lab` executable that serves
    Progress* progress = nullptr;
    std::string database_url;   // /db: this PostgreSQL; empty: one of the lab's own (lab/services/)
    std::string downstream_url; // /fetch: this HTTP server's /delay; empty: a `lab serve` of its own
    std::string redis_url;      // /cache: this Redis; empty: one of the lab's own
    LiveHub* live = nullptr;    // a live view (--live): told of every batch and request as they go
    std::function<void(const RunResult& so_far)> on_configuration_done = {};  // e.g. the live view's table row
};

// Adds, after each configuration, its twin served by real FastAPI under uvicorn (lab/reference/),
// if Python has FastAPI and uvicorn; otherwise says so in one line on stderr and adds nothing.
// Each configuration followed by its FastAPI twin; `uvloop`: every twin runs on uvloop, not asyncio.
Scenario with_fastapi(Scenario scenario, bool uvloop = false);

RunResult run_scenario(const Scenario& scenario, RunSettings settings);

// About how long run_scenario takes, by the models: each configuration's warm-up and batches
// (an open loop's duration each), plus a third of a second to start and stop each server.
double estimated_seconds(const Scenario& scenario);

}  // namespace lab
