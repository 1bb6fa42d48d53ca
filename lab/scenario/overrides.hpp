#pragma once
// What the command line changes in a scenario before it runs (`lab run`, `lab check`), and the
// scenario's texts filled in with the values that run.
#include <optional>
#include <string>

#include "lab/scenario/scenario.hpp"
#include "lab/scenario/sweep.hpp"

namespace lab {

// What the command line may override in a scenario; unset means "as the scenario says".
struct Overrides {
    std::optional<int> requests, concurrency, delay_ms, repeat, threads, workers;
    std::optional<Balance> balance;
    std::optional<std::string> only;  // one configuration: its label, or its place from 1
    std::optional<int> db_pool;  // /db: connections per server process
    // /db: an existing PostgreSQL (not an override: where to run)
    std::optional<std::string> database_url;
    std::optional<std::string> downstream_url;  // /fetch: an existing server answering /delay
    std::optional<std::string> redis_url;  // /cache: an existing Redis
    std::optional<Sweep> sweep;  // one of the numeric options above, given a list
    // Whether `option` (a sweep's name for it) was given one value.
    bool single(const std::string& option) const;
};

// The scenario as it will run: overrides applied; labels, claims, title and text built from the
// values that run. Throws std::invalid_argument for an --only that names no configuration, or a
// sweep that cannot run.
Scenario apply(Scenario scenario, const Overrides& overrides);

// A text about the whole lesson (title, teaching, an exercise's question and starter) with the
// values that run: `{N@k}` by the file's row k, then `{N}` by its first row. In a sweep, a row's
// point at its own value stands for it (else its first point).
void fill_lesson_values(std::string& text, const Scenario& s);

// One line for each override that applies to none of the scenario's configurations.
std::vector<std::string> unused_overrides(const Scenario& scenario, const Overrides& overrides);

}  // namespace lab
