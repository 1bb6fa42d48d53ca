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

// The run summary.json describes, without its requests (requests.csv's): each configuration's
// batches are numbered, and carry what was said of them besides. Throws SchemaError.
RunResult run_from_summary(const nlohmann::json& summary);

}  // namespace lab
