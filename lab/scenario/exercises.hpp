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

}  // namespace lab
