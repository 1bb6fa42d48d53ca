#include "lab/scenario/exercises.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include <toml++/toml.h>

#include "lab/scenario/overrides.hpp"

namespace lab {
namespace fs = std::filesystem;
namespace {

// splitmix64's step: a sequence of draws that depends on the seed alone, the same on every
// machine (std::uniform_int_distribution is not: each standard library draws its own way).
int drawn(std::uint64_t& state, int low, int high) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return low + static_cast<int>((z ^ (z >> 31)) % static_cast<std::uint64_t>(high - low + 1));
}

// The places a variant's route is named after: 24, so two neighbours share one once in 24.
constexpr std::array<const char*, 24> places = {
    "lisbon", "oslo",  "lima",  "quito", "accra", "hanoi", "dakar",  "riga",
    "kyoto",  "perth", "cairo", "delhi", "tunis", "sofia", "porto",  "turin",
    "lyon",   "cusco", "seoul", "cork",  "lagos", "omsk",  "bergen", "malmo"};

}  // namespace

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

Variant variant_of(const Scenario& exercise, std::optional<int> seed) {
    const int n = exercise.load.requests, d = exercise.load.delay_ms;
    const std::string& path = exercise.configurations.at(0).target_path;
    if (!seed) return {.seed = seed, .requests = n, .delay_ms = d, .path = path, .data = "hello"};
    std::uint64_t state = static_cast<std::uint64_t>(*seed);
    const int requests = drawn(state, (7 * n + 9) / 10, n);
    const int delay_ms = 10 * drawn(state, (8 * d + 99) / 100, 15 * d / 100);
    const std::string place = places[static_cast<std::size_t>(drawn(state, 0, places.size() - 1))];
    return {.seed = seed,
            .requests = requests,
            .delay_ms = delay_ms,
            .path = path + "/" + place,
            .data = "order " + std::to_string(drawn(state, 1000, 9999))};
}

int seed_of_name(const std::string& name) {
    std::uint32_t hash = 2166136261u;  // FNV-1a
    for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
    return static_cast<int>(hash % (max_seed + 1));
}

std::vector<int> class_seeds(const Scenario& exercise, const std::vector<std::string>& names) {
    std::set<std::string> routes;
    std::set<std::pair<std::string, int>> routes_and_waits;
    std::vector<int> seeds;
    for (const std::string& name : names) {
        const bool routes_left = seeds.size() < places.size();
        auto earlier = [&](const Variant& v) {
            return routes_left ? routes.contains(v.path)
                               : routes_and_waits.contains({v.path, v.delay_ms});
        };
        int seed = seed_of_name(name);
        // (bounded: a class larger than its variants keeps a student's own seed)
        for (int tries = 0; earlier(variant_of(exercise, seed)) && tries < 1000; ++tries)
            seed = (seed + 1) % (max_seed + 1);
        const Variant v = variant_of(exercise, seed);
        routes.insert(v.path);
        routes_and_waits.insert({v.path, v.delay_ms});
        seeds.push_back(seed);
    }
    return seeds;
}

Scenario with_variant(Scenario exercise, const Variant& v, std::optional<int> repeat) {
    exercise.configurations.at(0).target_path = v.path;
    const Overrides o{.requests = v.requests,
                      .concurrency = std::min(exercise.load.concurrency, v.requests),
                      .delay_ms = v.delay_ms,
                      .repeat = repeat};
    return apply(std::move(exercise), o);
}

std::string variant_text(std::string text, const Scenario& exercise, const Variant& v) {
    fill_lesson_values(text, exercise);
    for (auto at = text.find("{data}"); at != std::string::npos; at = text.find("{data}", at))
        text.replace(at, 6, v.data);
    return text;
}

std::string variant_record(const std::string& exercise, int seed) {
    return "# Written by `lab exercise start --seed`: `lab exercise check` grades this folder's\n"
           "# app against the variant of this seed (its own N, d and route).\n"
           "exercise = \"" +
           exercise + "\"\nseed = " + std::to_string(seed) + "\n";
}

std::optional<int> recorded_seed(const fs::path& folder, const std::string& exercise) {
    const fs::path file = folder / variant_file;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(file, ec))) return std::nullopt;
    if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) > 4096 || ec)
        throw ScenarioError(file, "(file)", "not a variant's record (a file of at most 4 KiB)");
    toml::table record;
    try {
        record = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw ScenarioError(file, "(file)", std::string(e.description()));
    }
    const auto name = record["exercise"].value<std::string>();
    if (name != exercise)
        throw ScenarioError(file, "exercise",
                            "this folder was started for " + name.value_or("no exercise") +
                                ", not " + exercise + ": check it as that one");
    const auto seed = record["seed"].value<std::int64_t>();
    if (!seed || *seed < 0 || *seed > max_seed)
        throw ScenarioError(file, "seed", "a whole number from 0 to " + std::to_string(max_seed));
    return static_cast<int>(*seed);
}

}  // namespace lab
