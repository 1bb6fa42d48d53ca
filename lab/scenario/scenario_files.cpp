// Where scenario files are found, and the name nearest a typo ("did you mean ...").
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "lab/scenario/scenario.hpp"

namespace lab {

namespace fs = std::filesystem;

fs::path lab_data_dir(const char* env_var, const char* name, const char* source_relative) {
    if (const char* env = std::getenv(env_var); env && *env) return env;
    auto installed = fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "share" /
                     "concurrency-lab" / name;
    if (fs::is_directory(installed)) return installed;
    return fs::path(LAB_SOURCE_DIR) / source_relative;
}

fs::path scenario_dir() { return lab_data_dir("LAB_SCENARIOS", "scenarios", "scenarios"); }

std::vector<fs::path> scenario_files(const fs::path& dir) {
    std::vector<fs::path> files;
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::string closest_name(const std::string& name, const std::vector<std::string>& known) {
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j)
                diagonal = std::exchange(row[j], std::min({row[j] + 1, row[j - 1] + 1,
                                                           diagonal + (a[i - 1] != b[j - 1])}));
        }
        return row[b.size()];
    };
    std::string best;
    std::size_t best_distance = SIZE_MAX;
    for (const auto& k : known)
        if (auto d = distance(name, k); d < best_distance) best = k, best_distance = d;
    return best;
}

}  // namespace lab
