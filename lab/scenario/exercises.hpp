#pragma once
// Exercises that grade themselves: each is a folder of scenarios/exercises/ holding NAME.toml (a
// scenario whose one row is the student's app, `server = "app"`, its claims the grade, each with
// what a ✗ means), starter.py (the documents' mistake, which the student fixes) and solution.py
// (the lab's reference answer, which the tests hold to the same grade).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lab/scenario/scenario.hpp"

namespace lab {

std::filesystem::path exercise_dir();  // scenarios/exercises, installed or in the source tree
std::vector<std::string> exercise_names();  // sorted

struct Exercise {
    Scenario scenario;  // its row 1 is the student's app, with no file yet
    std::filesystem::path starter, solution;
};
// The exercise, or nullopt if there is none of that name. Throws ScenarioError for a bad file.
std::optional<Exercise> find_exercise(const std::string& name);

// One student's own numbers for an exercise, as OSTEP's homework draws them from `-s SEED`: how
// many ask at once (N), the wait or work each asks for (d), the route (its path) and the data it
// is asked about. Each is drawn within bounds that keep the lesson true: N from 70 % of the file's
// up to it (no more waves than the lesson's, no longer run), d from 80 % to 150 % of the file's,
// in 10 ms steps (a blocked loop still far past the claims' bounds), the route the file's with a
// place of its own (/work/lisbon).
struct Variant {
    std::optional<int> seed;  // none: the exercise as its file says
    int requests = 0, delay_ms = 0;
    std::string path, data;
    bool operator==(const Variant&) const = default;
};
inline constexpr int max_seed = 999'999;
// The variant of `seed` (0 to max_seed): the same on every machine, from the seed alone. No seed:
// the exercise as its file says (its N, d and route; "hello" its data).
Variant variant_of(const Scenario& exercise, std::optional<int> seed);
// A seed of its own for each name of a class list: the same name, the same seed.
int seed_of_name(const std::string& name);
// The seeds of a class list, in its order: each name's own, or where its route would be an
// earlier student's, the next seed whose is not (a copy of a classmate's solution then answers on
// the wrong route), so the same list gives the same seeds. The routes are 24: from the 25th
// student on, one that shares a route has a wait d of its own instead, while there are any.
std::vector<int> class_seeds(const Scenario& exercise, const std::vector<std::string>& names);
// The exercise as this variant runs it (its claims' N and d the variant's, its row at its path),
// measured `repeat` times (unset: as the file says).
Scenario with_variant(Scenario exercise, const Variant& v, std::optional<int> repeat = {});
// A text of the exercise (starter, solution) with the variant's values in place of its
// placeholders: {d}, {d_ms}, {N}, {path} as a lesson's texts (`exercise` as with_variant made it),
// {data} the variant's data.
std::string variant_text(std::string text, const Scenario& exercise, const Variant& v);

// The file `start --seed` writes beside the student's app, which `check` grades by.
inline constexpr const char* variant_file = ".lab-exercise.toml";
std::string variant_record(const std::string& exercise, int seed);
// The seed recorded in `folder` for `exercise`; nullopt when the folder has no variant_file.
// Throws ScenarioError (the file, the key, why) for one that is no such record, or another's.
std::optional<int> recorded_seed(const std::filesystem::path& folder, const std::string& exercise);

}  // namespace lab
