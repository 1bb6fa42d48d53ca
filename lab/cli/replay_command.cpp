// `lab replay RESULTS_DIR [--slow 20] [--batch N]`: a recorded run played on the live page as if
// live, slowed down, at the true relative times of its records; the page plays, pauses, steps and
// changes speed (lab/live/live_page.html). It serves until Ctrl-C.
#include "lab/cli/command_support.hpp"
#include "lab/cli/run_output.hpp"
#include "lab/cli/commands.hpp"
#include "lab/cli/guesses_asked.hpp"

#include <algorithm>
#include <csignal>
#include <iostream>
#include <memory>
#include <numeric>
#include <utility>

#include "lab/live/live_hub.hpp"
#include "lab/report/predictions.hpp"
#include "lab/results/reader.hpp"

namespace lab {

namespace fs = std::filesystem;

namespace {

// A recorded batch told to the hub as the harness and the servers told it live, in the order it
// happened (a request's own moments in the order sent, begun, ended, answered), on the batch's
// axis (its origin 0): the page draws it by the same code, from the same events.
void replay_batch(LiveHub& hub, const Batch& batch) {
    enum Kind { sent, started, ended, answered, probe };
    struct Moment {
        std::int64_t at_us;
        Kind kind;
        const RequestRecord* record;
    };
    std::vector<Moment> moments;
    for (const RequestRecord& r : batch.requests)
        for (auto [at, kind] : {std::pair{r.send_us, sent}, std::pair{r.server_start_us, started},
                                std::pair{r.server_end_us, ended}, std::pair{r.end_us, answered}})
            if (at >= 0 && r.send_us >= 0) moments.push_back({at, kind, &r});
    for (const RequestRecord& p : batch.probes)
        if (p.send_us >= 0 && p.end_us >= 0) moments.push_back({p.end_us, probe, &p});
    std::ranges::stable_sort(moments, {},
                             [](const Moment& m) { return std::pair(m.at_us, m.kind); });
    hub.batch_started(batch.number, 0, static_cast<int>(batch.requests.size()));
    for (const auto& [at_us, kind, r] : moments) {
        const int port = r->index + 1;  // (the marks' name of a connection: any, one per request)
        if (kind == sent) hub.sent(r->index, at_us, port);
        if (kind == started || kind == ended)
            hub.mark({.mark = kind == started ? live::Mark::started : live::Mark::ended,
                      .request = port,
                      .at_us = at_us,
                      .what = {}});
        if (kind == answered) hub.answered(*r);
        if (kind == probe) hub.probe_answered(*r);
    }
    hub.batch_finished(batch.number);
}

// The live run's events, from its records: the plan (its configurations, their guesses, the
// models' axis), then each configuration's batch (number `batch`, else its median one, the
// report's timeline) and its row, as `lab run --live` told them.
void publish_replay(LiveHub& hub, const RunResult& run, std::optional<int> batch) {
    Scenario planned = run.scenario;
    for (const ConfigurationResult& r : run.configurations)
        planned.configurations.push_back(r.configuration);
    // The room's guesses kept with the run, as the live page had them when the run began: their
    // count is the most any configuration (or the choices) had, as the results keep no other.
    std::vector<std::vector<double>> room;
    std::size_t count = std::accumulate(run.scenario.room_picks.begin(),
                                        run.scenario.room_picks.end(), std::size_t{0});
    for (const Configuration& c : planned.configurations)
        count = std::max(count, room.emplace_back(c.room_guesses).size());
    if (count > 0) hub.publish(room_event(planned, room, count, false));
    hub.publish(live_plan(planned));
    RunResult so_far = run;  // (its floor and cores too: the footnote's)
    so_far.configurations.clear();
    for (std::size_t k = 0; k < run.configurations.size(); ++k) {
        const ConfigurationResult& r = so_far.configurations.emplace_back(run.configurations[k]);
        hub.configuration(static_cast<int>(k), run.scenario.load.repeat);
        if (!r.batches.empty())
            replay_batch(hub, batch ? r.batches[static_cast<std::size_t>(*batch - 1)]
                                    : r.batches[r.median_batch]);
        publish_configuration_done(hub, so_far);
    }
    if (has_picks(run.scenario)) hub.publish(live_choices(run));
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
    in_range(app.add_option("--slow", o->slow,
                            "How many times slower than it ran (the page's + and − change it)"),
             1.0, 200.0);
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
