#pragma once
// A `lab load` run's tallies in summary.json: requests.csv keeps at most the first 1,000,000
// requests of a batch (harness/load_generator.hpp), but the figures it printed counted them all.
// summary.json keeps those counts (each target's histogram, statuses, errors and bytes), so that
// `lab report` prints the very figures the run printed, not those of the first million alone.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/tally.hpp"

namespace lab {

nlohmann::json tallies_json(const std::vector<Tally>& tallies);
// Throws SchemaError (lab/results/schema.hpp) naming `where` and the key that is wrong.
std::vector<Tally> tallies_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace lab
