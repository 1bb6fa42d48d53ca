#pragma once
// summary.json, defined once. Each part of a run lists its keys in one `…_fields()` function
// (summary_keys.hpp); writing (summary_writer.cpp) walks that list to write the keys, reading
// (summary_reader.cpp) walks the same list to read
// them, checking each value's type and range and naming its key path when one is wrong. A key
// added to a list is therefore written and read back, or neither.
//
// requests.csv holds every request; summary.json holds the rest: the scenario as it ran, each
// configuration, its model and what the server said of each batch. Some keys are derived from
// requests.csv (makespans, percentiles, per-worker counts): written for other tools, recomputed
// when read. results/README.md documents every key.
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "lab/run/run_result.hpp"

namespace lab {

// "configurations[1].load.requests: must be a whole number from 1 to 100000, got 1e+30"
struct SchemaError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

nlohmann::json summary_json(const RunResult& run);

// The run summary.json describes, without its requests (requests.csv has them): each
// configuration's batches are empty but numbered, and carry what the server said of them.
struct StoredBatch {
    int number = 0;
    double loop_blocked_ms = -1;  // the server's GET /stats after the batch (-1: it gave none)
    int max_computing = -1;
    double held_per_request_ms = -1;  // a probed app: the median request's own time on the loop
    std::string held_where;  // and where its longest hold was
    std::string held_fix;  // and what to change there
    std::int64_t harness_slip_us = 0;  // open loop only
    int unfinished = 0;  // `lab load -z`: in flight when the time was up
    std::string foreign_message;  // a WebSocket load: the first message that was no tick
    std::int64_t not_recorded = 0;  // `lab load`: counted, but past requests.csv's limit
    std::vector<Tally> tallies;  // and then what it counted, all of it (stored_tallies.hpp)
    BatchCpu cpu;  // the CPU the lab got during it, and what others took
    // A student's app on a Redis: the jobs RQ finished for it (-1: not counted)
    long jobs_done = -1;
};
struct StoredRun {
    RunResult run;  // configurations without batches, stats or open-loop results
    std::vector<std::vector<StoredBatch>> batches;  // per configuration
    std::vector<int> median_batch;  // per configuration: the batch number drawn as its timeline
};
StoredRun run_from_summary(const nlohmann::json& summary);  // throws SchemaError

}  // namespace lab
