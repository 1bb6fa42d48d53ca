// `lab report`: a saved run's table and page again, two runs compared, or the table of results/README.md's "Measured here".
#include "lab/cli/command_support.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "lab/figures/figure_value.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/report.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"

namespace lab {

namespace {

namespace fs = std::filesystem;

// A results folder as the user names it: the folder itself, or a folder of runs (results/NAME, or
// NAME under results/), of which the newest is meant (their names are UTC times, so they sort).
fs::path results_folder(const fs::path& given) {
    if (fs::exists(given / "summary.json")) return given;
    for (const fs::path& runs : {given, fs::path("results") / given}) {
        if (!fs::is_directory(runs)) continue;
        std::optional<fs::path> newest;
        for (const auto& entry : fs::directory_iterator(runs))
            if (entry.path().filename().string().front() != '.' && fs::exists(entry.path() / "summary.json") &&
                (!newest || entry.path().filename() > newest->filename()))
                newest = entry.path();
        if (newest) return *newest;
    }
    throw ResultsError(given.string() + ": not a results folder, nor a folder of runs (nor results/" + given.string() + ")");
}

// A run's own page is never replaced by a different one: the rebuilt page is the same when the
// folder read back whole (nothing to write), else it goes beside it as report-rebuilt.html.
int rebuild_page(const fs::path& dir, const std::string& page) {
    fs::path own = dir / "report.html";
    std::ifstream existing(own, std::ios::binary);
    std::string before((std::istreambuf_iterator<char>(existing)), {});
    if (existing && before == page) {
        std::cerr << "report: " << printable(own.string()) << " (unchanged)\n";
        return exit_ok;
    }
    fs::path target = existing ? dir / "report-rebuilt.html" : own;
    try {
        replace_file(target, page);
    } catch (const std::exception& e) {
        std::cerr << "lab report: could not write " << printable(target.string()) << ": " << printable(e.what()) << '\n';
        return exit_failed;
    }
    std::cerr << "report: " << printable(target.string()) << (existing ? " (differs from the run's own report.html, kept)" : "") << '\n';
    return exit_ok;
}

// Two runs of a scenario side by side: each configuration's median makespan, and B over A.
void print_comparison(const RunResult& a, const RunResult& b, const std::vector<fs::path>& dirs, const Layout& layout) {
    const int width = layout.wide ? 100'000 : layout.columns;
    std::cout << wrap(a.scenario.title, width) << wrap("A: " + dirs[0].string(), width) << wrap("B: " + dirs[1].string(), width) << '\n';
    Column label{.header = "configuration", .wraps = true};
    Column in_a{.header = "A measured (median)", .narrow_header = "A median"};
    Column in_b{.header = "B measured (median)", .narrow_header = "B median"}, ratio{.header = "B/A"};
    for (const auto& ra : a.configurations) {
        auto rb = std::find_if(b.configurations.begin(), b.configurations.end(),
                               [&](const auto& c) { return c.configuration.label == ra.configuration.label; });
        label.cells.push_back(ra.configuration.label);
        in_a.cells.push_back(fixed(ra.makespan.median) + " s");
        bool both = rb != b.configurations.end();
        in_b.cells.push_back(both ? fixed(rb->makespan.median) + " s" : "(not in B)");
        ratio.cells.push_back(both && ra.makespan.median > 0 ? fixed(rb->makespan.median / ra.makespan.median) : "—");
    }
    print_table(std::cout, {label, in_a, in_b, ratio}, layout);
}

// results/README.md's "Measured here": the newest run of each scenario under `root`, one Markdown row
// per configuration, with the figure its lesson turns on. Generated, never typed.
int print_measured_table(const fs::path& root) {
    std::vector<fs::path> scenarios;
    if (fs::is_directory(root))
        for (const auto& entry : fs::directory_iterator(root))
            if (entry.is_directory()) scenarios.push_back(entry.path());
    std::sort(scenarios.begin(), scenarios.end());
    std::cout << "| scenario | configuration | measured | model | key figure |\n|---|---|---|---|---|\n";
    int rows = 0;
    std::vector<std::pair<std::string, double>> took;  // each lesson's whole run, for the second table
    for (const fs::path& folder : scenarios) {
        fs::path newest;
        try {
            newest = results_folder(folder);
        } catch (const ResultsError&) {
            continue;  // not a scenario's folder of runs
        }
        RunResult run = read_results(newest);
        if (run.run_s > 0) took.emplace_back(run.scenario.name, run.run_s);
        const char* key[2] = {nullptr, nullptr};
        switch (run.scenario.key_figure) {
            case KeyFigure::bystander_latency: key[0] = "probe_p50", key[1] = "probe_max"; break;
            case KeyFigure::peak_memory: key[0] = "pss", key[1] = "peak_rss"; break;
            case KeyFigure::per_worker: key[0] = "busiest_worker"; break;
            case KeyFigure::latency_over_time: key[0] = "p99_from_due", key[1] = "p99_from_send"; break;
            case KeyFigure::answer_vs_done: key[0] = "answer_p50", key[1] = "done_p50"; break;
            case KeyFigure::latency_histogram: key[0] = "answer_p50", key[1] = "answer_max"; break;
            case KeyFigure::tick_lateness: key[0] = "tick_late_p50", key[1] = "tick_late_max"; break;
            case KeyFigure::makespan: break;
        }
        if (!key[1] && run.scenario.load.path == "/db") key[1] = "db_at_once";  // the database's own count
        for (const auto& r : run.configurations) {
            std::string figure;
            for (const char* name : key)
                if (name)
                    if (auto value = figure_value(name, r, run.scenario.load))
                        figure += (figure.empty() ? "" : ", ") + std::string(name) + " " + figure_text(name, *value);
            auto cell = [&](const char* name) {  // an open loop, or WebSockets held, has no makespan to model
                auto value = run.scenario.load.rate > 0 || run.scenario.load.websocket() ? std::nullopt : figure_value(name, r, run.scenario.load);
                return value ? figure_text(name, *value) : std::string("—");
            };
            std::cout << "| " << printable(run.scenario.name) << " | " << printable(r.configuration.label) << " | " << cell("measured") << " | "
                      << cell("model") << " | " << (figure.empty() ? "" : figure) << " |\n";
            ++rows;
        }
    }
    if (rows == 0) {
        std::cerr << "lab report --measured: no runs under " << printable(root.string()) << '\n';
        return exit_usage;
    }
    // How long a class waits for each lesson: the demonstrations (scenarios/README.md) cite these.
    if (!took.empty()) std::cout << "\n| lesson | `lab run` takes here |\n|---|---|\n";
    for (const auto& [name, seconds] : took) std::cout << "| " << printable(name) << " | " << fixed(seconds, 0) << " s |\n";
    return exit_ok;
}

}  // namespace

Action define_report(CLI::App& app) {
    auto dirs = std::make_shared<std::vector<fs::path>>();
    auto wide = std::make_shared<bool>(false);
    auto measured = std::make_shared<bool>(false);
    app.add_option("dirs", *dirs, "A results folder (or a scenario's name: its newest run in results/), or two to compare")
        ->expected(0, 2);
    app.add_flag("--wide", *wide, "Every column and whole labels, however wide the terminal");
    app.add_flag("--measured", *measured,
                 "A Markdown table of the newest run of every scenario under the folder (default results/): results/README.md's 'Measured here'");
    return [dirs, wide, measured] {
        const Layout layout{terminal_columns(), *wide, colour_wanted()};
        if (*measured) {
            try {
                return print_measured_table(dirs->empty() ? fs::path("results") : dirs->front());
            } catch (const std::exception& e) {
                std::cerr << "lab report --measured: " << printable(e.what(), true) << '\n';
                return exit_usage;
            }
        }
        if (dirs->empty()) {
            std::cerr << "lab report: name a results folder (or a scenario), or two to compare\n";
            return exit_usage;
        }
        // A damaged or foreign folder (ResultsError) is said with what is wrong, and where.
        return said_on_failure<ResultsError>("lab report", [&] {
            for (fs::path& dir : *dirs) dir = results_folder(dir);
            if (dirs->size() == 1) {
                RunResult run = read_results(dirs->front());
                print_report(std::cout, run, TextStyle::terminal, layout);
                std::cout.flush();
                return rebuild_page(dirs->front(), html_report(run));
            }
            RunResult a = read_results((*dirs)[0]), b = read_results((*dirs)[1]);
            print_comparison(a, b, *dirs, layout);
            return exit_ok;
        });
    };
}

}  // namespace lab
