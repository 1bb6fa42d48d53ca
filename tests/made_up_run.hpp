#pragma once
// Results without running anything, for the tests of the results folder: a whole run of a
// scenario with records of every kind (made up, deterministic), and the scenarios the lab ships.
#include <algorithm>
#include <filesystem>
#include <vector>

#include "harness/statistics.hpp"
#include "lab/figures/figure_value.hpp"
#include "lab/scenario/overrides.hpp"
#include "lab/run/run_result.hpp"
#include "lab/scenario/scenario.hpp"

namespace test {

// Records as a run would make them, deterministic, with every field set somewhere.
inline lab::Batch made_up_batch(int number, int requests, const lab::Load& load, std::size_t config,
                                bool queued) {
    lab::Batch b;
    b.number = number;
    for (int i = 0; i < requests; ++i) {
        lab::RequestRecord r;
        r.batch = number;
        r.index = i;
        r.connection = i % 4;
        r.intended_us = load.rate > 0 ? i * 5000 : 0;
        r.connect_us = i < 4 ? 100 : -1;
        r.send_us = r.intended_us + (i % 7 == 3 ? 2500 : 10);
        r.server_start_us = r.send_us + 50 + 1000 * static_cast<int>(config) * i;
        r.server_end_us = r.server_start_us + load.delay_ms * 1000;
        r.first_byte_us = r.server_end_us + 30;
        r.end_us = r.first_byte_us + 5 + number;
        r.status = 200;
        r.bytes = 180;
        r.worker_pid = 1000 + i % 3;
        r.thread_id = 2000 + i % 5;
        if (load.path == "/db") {  // PostgreSQL's own stamps, inside the server's
            r.db_start_us = r.server_start_us + 200;
            r.db_end_us = r.server_end_us - 100;
        }
        if (i % 5 == 4) {  // a probed app's waits inside its service: for a thread, a connection
            r.token_wait_us = 300 * i;
            r.connection_wait_us = 40 * i;
        }
        if (queued) {  // a job: queued just after its send, found done a poll after it finished
            r.job_queued_us = r.send_us + 20;
            r.done_us = r.server_end_us + 20'000;
        }
        if (i == requests - 1) {  // one failure in every batch: recorded, not dropped
            r.error = lab::ErrorKind::read;
            r.status = 0;
            r.first_byte_us = r.server_start_us = r.server_end_us = r.worker_pid = r.thread_id = -1;
            r.db_start_us = r.db_end_us = r.job_queued_us = r.done_us = -1;
            r.token_wait_us = r.connection_wait_us = -1;
        }
        b.requests.push_back(r);
    }
    if (!load.probe_path.empty())
        for (int p = 0; p < 3; ++p) {
            lab::RequestRecord q;
            q.batch = number;
            q.index = p;
            q.connection = -1;
            q.intended_us = q.send_us = 12'500 + 25'000 * p;
            q.end_us = q.send_us + 700 + 300 * p;
            q.status = 200;
            q.bytes = 16;
            b.probes.push_back(q);
        }
    return b;
}

// A whole run of `scenario` without running it: the shapes of its results, not real figures.
inline lab::RunResult made_up_run(const lab::Scenario& scenario) {
    lab::RunResult run;
    run.scenario = scenario;
    run.cores = 2;
    run.run_s = 12.25;
    for (std::size_t i = 0; i < scenario.configurations.size(); ++i) {
        lab::ConfigurationResult r = lab::planned(scenario.configurations[i], scenario.load);
        const lab::Load own = r.load;
        int n = std::min(own.requests, 24);
        std::vector<double> makespans;
        for (int k = 1; k <= scenario.load.repeat; ++k) {
            lab::BatchRecord& b = r.batches.emplace_back(
                made_up_batch(k, n, scenario.load, i, r.configuration.queued()));
            b.stats = lab::summarize(b);
            makespans.push_back(b.stats.makespan_s);
            b.server.blocked_ms = k == 1 ? -1.0 : 12.25 * k;
            b.server.computing = k % 3;
            b.jobs_done = k == 1 ? -1 : 2 * k;
            b.cpu = {.wall_s = 0.25 * k,
                     .own_s = 0.375 * k,
                     .machine_s = 0.375 * k + 0.0078125,
                     .steal_s = k == 1 ? -1.0 : 0.0};
            if (scenario.load.rate > 0) {
                for (const auto& q : b.requests) lab::account(b.open_loop, q);
                b.open_loop.harness_slip_us = 700 * k;
            }
        }
        r.makespan = lab::spread_of(makespans);
        r.median_batch = r.batches.size() / 2;
        r.verdict = lab::verdict(r.batches[r.median_batch].stats, own.requests, own.concurrency);
        r.peak_rss_kib = scenario.load.report_memory ? 40'000 + static_cast<long>(i) : -1;
        r.pss_kib = scenario.load.report_memory ? 12'000 + static_cast<long>(i) : -1;
        r.server_log = "loop blocked for 100.2 ms (handler /delay)";
        run.configurations.push_back(std::move(r));
    }
    lab::measure_figures(run);  // each row's load and figures, as a run computes them once it ran
    return run;
}

// A run's scenario as `lab load` describes its target: one server the lab did not start.
inline lab::Scenario external_load() {
    lab::Scenario load;
    load.kind = lab::RunKind::load;
    load.name = "load";
    load.title = "lab load http://[::1]:8080/delay?ms=1&x=<b>";
    load.load.delay_ms = 0;
    load.load.path = "/delay?ms=1&x=<b>";
    lab::Configuration external;
    external.label = "http://[::1]:8080/delay?ms=1&x=<b>";
    external.mode = "external";
    external.server = lab::Server::external;
    external.host = "::1";
    external.port = 8080;
    load.configurations.push_back(external);
    return load;
}

inline std::vector<lab::Scenario> shipped() {
    std::vector<lab::Scenario> all;
    for (const std::filesystem::path& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios"))
        all.push_back(lab::apply(lab::load_scenario(file), {}));
    return all;
}

}  // namespace test
