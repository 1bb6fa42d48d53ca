// `lab diff A B` (or `--last 2`): two results folders compared, in the terminal or as Markdown,
// and as a page (diff.html, beside B unless --html says where).
#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <algorithm>
#include <iostream>
#include <memory>

#include "lab/report/run_diff.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"

namespace lab {

namespace fs = std::filesystem;

namespace {

// The two newest runs of a scenario's folder of runs, or of every run under results/.
std::vector<fs::path> last_two(const std::vector<fs::path>& given) {
    std::vector<fs::path> runs;
    if (!given.empty()) {
        for (const fs::path& folder : {given.front(), fs::path("results") / given.front()})
            if (runs = newest_runs(folder, 2); !runs.empty()) break;
    } else if (fs::is_directory("results")) {
        for (const auto& scenario : fs::directory_iterator("results"))
            for (fs::path& run : newest_runs(scenario.path(), 2)) runs.push_back(std::move(run));
        std::ranges::sort(runs, {}, [](const fs::path& p) { return p.filename(); });
        runs.erase(runs.begin(),
                   runs.end() - static_cast<long>(std::min<std::size_t>(2, runs.size())));
    }
    if (runs.size() < 2)
        throw ResultsError("--last 2: fewer than two runs under " +
                           (given.empty() ? std::string("results") : given.front().string()));
    return runs;
}

}  // namespace

int print_run_diff(const fs::path& a_dir, const fs::path& b_dir, bool markdown,
                   const Layout& layout, const fs::path& page, double matters_pct) {
    const RunResult a = read_results(a_dir), b = read_results(b_dir);
    RunDiff diff = diff_runs(a, b, matters_pct / 100);
    // Each side is named once, by its lesson's title and the folder it was read from (a long
    // path is cut into lines, never past the width).
    diff.title_a += " (" + a_dir.string() + ")";
    diff.title_b += " (" + b_dir.string() + ")";
    const int width = layout.wide ? 100'000 : layout.columns;
    print_diff(std::cout, diff, a, b, markdown ? TextStyle::markdown : TextStyle::terminal, layout);
    if (page.empty()) return exit_ok;
    replace_file(page, html_diff(diff, a, b));
    std::cerr << wrap("page: " + page.string(), width);
    return exit_ok;
}

Action define_diff(CLI::App& app) {
    struct Options {
        std::vector<fs::path> dirs;
        int last = 0;
        bool markdown = false, wide = false;
        fs::path html;
        double threshold_pct = 5;
    };
    auto o = std::make_shared<Options>();
    app.add_option("dirs", o->dirs,
                   "Two results folders, A then B (or, with --last 2, a scenario's folder of runs)")
        ->expected(0, 2);
    app.add_option("--last", o->last,
                   "The two newest runs (of the scenario named, else of all under results/)")
        ->check(CLI::Range(2, 2));
    app.add_flag("--markdown", o->markdown, "Markdown instead of the terminal's tables");
    declare_wide(app, o->wide);
    app.add_option("--html", o->html, "Where to write the page (default: diff.html in B's folder)");
    app.add_option("--threshold", o->threshold_pct,
                   "The least change that matters, in % of A (default 5): a smaller one is \"~ no "
                   "change that matters\", its p-value still shown")
        ->check(CLI::Range(0.0, 100.0));
    return [o] {
        if ((o->last == 0 && o->dirs.size() != 2) || (o->last != 0 && o->dirs.size() > 1)) {
            std::cerr << "lab diff: name two results folders, or --last 2 [SCENARIO]\n";
            return exit_usage;
        }
        return said_on_failure<ResultsError>("lab diff", [&] {
            std::vector<fs::path> dirs =
                o->last ? last_two(o->dirs)
                        : std::vector{results_folder(o->dirs[0]), results_folder(o->dirs[1])};
            const Layout layout{terminal_columns(), o->wide, colour_wanted()};
            return print_run_diff(dirs[0], dirs[1], o->markdown, layout,
                                  o->html.empty() ? dirs[1] / "diff.html" : o->html,
                                  o->threshold_pct);
        });
    };
}

}  // namespace lab
