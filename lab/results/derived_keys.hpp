#pragma once
// The keys summary.json holds for other tools (notebooks, jq) and never reads back: each is
// recomputed from requests.csv when a folder is read. (What is read back:
// lab/results/summary_keys.hpp.)
#include <nlohmann/json.hpp>

#include "lab/run/run_result.hpp"

namespace lab {

// A batch's figures: ok, failed, makespan_s, latency_s, throughput_rps, probes and the rest.
nlohmann::json derived_batch(const BatchRecord& batch);

// An open loop's latencies from due and from send, and how its schedule held.
nlohmann::json open_loop_json(const OpenLoopLatencies& latencies);

}  // namespace lab
