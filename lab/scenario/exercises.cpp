#include "lab/scenario/exercises.hpp"

#include <algorithm>

namespace lab {
namespace fs = std::filesystem;

fs::path exercise_dir() { return scenario_dir() / "exercises"; }

std::vector<std::string> exercise_names() {
    std::vector<std::string> names;
    std::error_code ec;
    if (fs::is_directory(exercise_dir(), ec))
        for (const auto& entry : fs::directory_iterator(exercise_dir()))
            if (fs::is_regular_file(entry.path() / (entry.path().filename().string() + ".toml")))
                names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<Exercise> find_exercise(const std::string& name) {
    auto names = exercise_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) return std::nullopt;
    const fs::path folder = exercise_dir() / name;
    Exercise e{load_scenario(folder / (name + ".toml")), folder / "starter.py",
               folder / "solution.py"};
    if (e.scenario.configurations.size() != 1 || e.scenario.configurations[0].server != Server::app)
        throw ScenarioError(folder / (name + ".toml"), "configuration",
                            "an exercise has one row, the student's app (server = \"app\")");
    return e;
}

}  // namespace lab
