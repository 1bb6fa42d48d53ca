// `lab replay RESULTS_DIR [--slow 20] [--batch N]`: a recorded run played on the live page as if
// live, slowed down, at the true relative times of its records; the page plays, pauses, steps and
// changes speed (lab/live/live_page.html). It serves until Ctrl-C.
#include "lab/cli/command_support.hpp"
#include "lab/cli/run_output.hpp"
#include "lab/cli/commands.hpp"

#include <csignal>
#include <iostream>
#include <memory>

#include "lab/live/batch_drawing.hpp"
#include "lab/live/live_hub.hpp"
#include "lab/report/report.hpp"
#include "lab/results/reader.hpp"

namespace lab {

namespace fs = std::filesystem;

namespace {

// Every configuration's batch (number `batch`, else its median one, the report's timeline), as
// the live run told the page, then the table's row: what `lab run --live` would have shown.
void publish_replay(LiveHub& hub, const RunResult& run, std::optional<int> batch) {
    const auto rows = table_rows(run);
    hub.publish({{"type", "columns"}, {"names", rows.front()}});
    for (std::size_t k = 0; k < run.configurations.size(); ++k) {
        const ConfigurationResult& r = run.configurations[k];
        if (!r.batches.empty()) {
            const Batch& b =
                batch ? r.batches[static_cast<std::size_t>(*batch - 1)] : r.batches[r.median_batch];
            for (nlohmann::json& event :
                 replayed_batch(b, static_cast<int>(k), static_cast<int>(r.batches.size())))
                hub.publish(std::move(event));
        }
        hub.publish({{"type", "row"}, {"c", k}, {"cells", rows[k + 1]}});
    }
    hub.publish(
        {{"type", "done"},
         {"message", "The replay is over: each configuration above is its " +
                         (batch ? "batch " + std::to_string(*batch) : std::string("median batch")) +
                         ", as recorded."}});
}

}  // namespace

Action define_replay(CLI::App& app) {
    struct Options {
        fs::path dir;
        double slow = 20;
        std::optional<int> batch;
        std::uint16_t port = 0;
    };
    auto o = std::make_shared<Options>();
    app.add_option("dir", o->dir,
                   "A results folder (or a scenario's name: its newest run in results/)")
        ->required();
    app.add_option("--slow", o->slow,
                   "How many times slower than it ran (the page's + and − change it)")
        ->check(CLI::Range(1.0, 200.0))
        ->capture_default_str();
    app.add_option(
           "--batch", o->batch,
           "Which batch (from 1; default: each configuration's median, as report.html draws)")
        ->check(CLI::Range(1, 1000));
    app.add_option("--port", o->port, "The page's port on 127.0.0.1 (0: a free one)")
        ->capture_default_str();
    return [o] {
        return said_on_failure<ResultsError>("lab replay", [&] {
            const RunResult run = read_results(results_folder(o->dir));
            for (const ConfigurationResult& r : run.configurations)
                if (o->batch && !r.batches.empty() &&
                    static_cast<std::size_t>(*o->batch) > r.batches.size())
                    throw ResultsError("--batch " + std::to_string(*o->batch) + ": " +
                                       r.configuration.label + " has " +
                                       std::to_string(r.batches.size()) + " batches");
            // (blocked before the hub's thread starts, so that only sigwait below takes them)
            sigset_t stop;
            sigemptyset(&stop), sigaddset(&stop, SIGINT), sigaddset(&stop, SIGTERM);
            pthread_sigmask(SIG_BLOCK, &stop, nullptr);
            LiveHub hub(o->port);
            hub.publish({{"type", "replay"}, {"slow", o->slow}});
            hub.publish(live_plan(run.scenario));
            publish_replay(hub, run, o->batch);
            std::cerr << "live view: " << hub.url() << "  (the replay, " << fixed(o->slow, 0)
                      << "× slower; Ctrl-C ends it)\n";
            int taken = 0;
            sigwait(&stop, &taken);
            return exit_ok;
        });
    };
}

}  // namespace lab
