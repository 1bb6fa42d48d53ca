#pragma once
// A lesson's claims, as its file writes them: [[expect]], [[choice]] and [check], and the figures a
// text cites ({measured:2}); each refusal a ScenarioError naming file, key and why.
#include <filesystem>
#include <string>

#include <toml++/toml.h>

#include "lab/scenario/scenario.hpp"
#include "lab/scenario/table_reader.hpp"

namespace lab {

// A text's cited figures ({measured:2}) are named once, here: a name that is no figure is a typo.
void check_cited_figures(TableReader& r, const char* key, const std::string& text);

// [[choice]]: what the class may pick before the run: at most most_choices, the right one among
// them, each wrong one with its misconception, why, and a lesson that exists.
void read_choices(const std::filesystem::path& file, const toml::table& root, Scenario& s);

// The [[expect]] tables (the text's claims, as bounds a run checks) and [check] (how far `lab
// check` lets a measurement leave its model, and why).
void read_expectations(const std::filesystem::path& file, const toml::table& root, Scenario& s);

}  // namespace lab
