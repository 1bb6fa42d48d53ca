// Runs side by side: results/README.md's "Measured here", the newest run of every lesson. (Two
// runs compared: lab/report/run_diff.hpp.)
#include "lab/report/report.hpp"

#include <algorithm>
#include <ostream>

#include "lab/report/key_figure.hpp"
#include "lab/results/reader.hpp"

namespace lab {

namespace fs = std::filesystem;

bool print_measured_table(std::ostream& out, const fs::path& root) {
    std::vector<fs::path> scenarios;
    if (fs::is_directory(root))
        for (const auto& entry : fs::directory_iterator(root))
            if (entry.is_directory()) scenarios.push_back(entry.path());
    std::sort(scenarios.begin(), scenarios.end());
    out << "| scenario | configuration | measured | model | key figure |\n|---|---|---|---|---|\n";
    int rows = 0;
    std::vector<std::pair<std::string, double>> took;  // each lesson's run, for the second table
    for (const fs::path& folder : scenarios) {
        fs::path newest;
        try {
            newest = results_folder(folder);
        } catch (const ResultsError&) {
            continue;  // not a scenario's folder of runs
        }
        RunResult run = read_results(newest);
        if (run.run_s > 0) took.emplace_back(run.scenario.name, run.run_s);
        std::vector<Figure> key = figures_beside(run.scenario.key_figure);
        if (key.size() < 2 && run.scenario.load.path == "/db")
            key.push_back(Figure::db_at_once);  // the database's own count
        // An open loop, or WebSockets held, has no makespan to model.
        const bool unmodelled = run.scenario.load.rate > 0 || run.scenario.load.websocket();
        for (const auto& r : run.configurations) {
            std::string shown;
            for (Figure figure : key)
                if (auto value = r.figure(figure))
                    shown += (shown.empty() ? "" : ", ") + name_of(figure) + " " +
                             figure_text(figure, *value);
            auto cell = [&](Figure f) { return unmodelled ? std::string("—") : figure_cell(f, r); };
            out << "| " << printable(run.scenario.name) << " | " << printable(r.configuration.label)
                << " | " << cell(Figure::measured) << " | " << cell(Figure::model) << " | " << shown
                << " |\n";
            ++rows;
        }
    }
    if (rows == 0) return false;
    // How long a class waits for each lesson: the demonstrations (scenarios/README.md) cite these.
    if (!took.empty()) out << "\n| lesson | `lab run` takes here |\n|---|---|\n";
    for (const auto& [name, seconds] : took)
        out << "| " << printable(name) << " | " << fixed(seconds, 0) << " s |\n";
    return true;
}

}  // namespace lab
