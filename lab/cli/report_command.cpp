// `lab report`: a saved run's table and page again (a lesson's, a load's or a doctor's), two runs
// compared (`lab diff A B`, without its page), or the table of results/README.md's "Measured here".
#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include "lab/doctor/folder.hpp"
#include "lab/doctor/page.hpp"
#include "lab/doctor/report.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/report.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"

namespace lab {

namespace {

namespace fs = std::filesystem;

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
        std::cerr << "lab report: could not write " << printable(target.string()) << ": "
                  << printable(e.what()) << '\n';
        return exit_failed;
    }
    std::cerr << "report: " << printable(target.string())
              << (existing ? " (differs from the run's own report.html, kept)" : "") << '\n';
    return exit_ok;
}

}  // namespace

Action define_report(CLI::App& app) {
    auto dirs = std::make_shared<std::vector<fs::path>>();
    auto wide = std::make_shared<bool>(false);
    auto measured = std::make_shared<bool>(false);
    app.add_option(
           "dirs", *dirs,
           "A results folder (or a scenario's name: its newest run in results/), or two to compare")
        ->expected(0, 2);
    declare_wide(app, *wide);
    app.add_flag("--measured", *measured,
                 "A Markdown table of the newest run of every scenario under the folder (default "
                 "results/): results/README.md's 'Measured here'");
    return [dirs, wide, measured] {
        const Layout layout{terminal_columns(), *wide, colour_wanted()};
        if (*measured) {
            try {
                const fs::path root = dirs->empty() ? fs::path("results") : dirs->front();
                if (print_measured_table(std::cout, root)) return exit_ok;
                std::cerr << "lab report --measured: no runs under " << printable(root.string())
                          << '\n';
                return exit_usage;
            } catch (const std::exception& e) { return said("lab report --measured", e.what()); }
        }
        if (dirs->empty()) {
            std::cerr << "lab report: name a results folder (or a scenario), or two to compare\n";
            return exit_usage;
        }
        // A damaged or foreign folder (ResultsError) is said with what is wrong, and where.
        return said_on_failure<ResultsError>("lab report", [&] {
            for (fs::path& dir : *dirs) dir = results_folder(dir);
            if (dirs->size() == 1 && is_doctor_folder(dirs->front())) {  // (a product of its own)
                DoctorRun run = read_doctor_folder(dirs->front());
                print_doctor(std::cout, run, layout, false);
                std::cout.flush();
                return rebuild_page(dirs->front(), doctor_html(run));
            }
            if (dirs->size() == 1) {
                RunResult run = read_results(dirs->front());
                print_report(std::cout, run, TextStyle::terminal, layout);
                std::cout.flush();
                return rebuild_page(dirs->front(), html_report(run));
            }
            return print_run_diff((*dirs)[0], (*dirs)[1], false, layout, {});  // `lab diff A B`
        });
    };
}

}  // namespace lab
