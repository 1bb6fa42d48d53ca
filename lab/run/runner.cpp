#include "lab/run/runner.hpp"

#include <algorithm>
#include <optional>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "harness/websocket_load.hpp"
#include "lab/awake_cpus.hpp"
#include "lab/clock.hpp"
#include "lab/cpu_taken.hpp"
#include "lab/run_key.hpp"
#include "lab/queue/rq_registries.hpp"
#include "lab/run/lesson_ramp.hpp"
#include "lab/run/progress.hpp"
#include "lab/run/row_verdict.hpp"
#include "lab/run/server_account.hpp"
#include "lab/run/your_app.hpp"

namespace lab {
namespace {

// What each request asks for: the load's path with its ms, or the same work as a queued job; a
// student's app or a target at its own path (--app-path), with ms as the lesson passes it; for
// `lab load`, the URL's path as given.
std::string target_of(const Configuration& c, const Load& load) {
    std::string ms = std::to_string(load.delay_ms);
    if (!c.target_path.empty())
        return c.target_path + (c.target_path.find('?') == std::string::npos ? "?" : "&") +
               "ms=" + ms;
    if (c.server == Server::external) return load.path;
    if (c.queued()) return load.path == "/cpu" ? "/jobs?cpu_ms=" + ms : "/jobs?wait_ms=" + ms;
    return load.path + "?ms=" + ms;
}

// How long a batch may take before the run stops waiting: generous beside the model (a few
// times its makespan, and some seconds for a slow machine), far below 30 s per request.
// A real FastAPI stack gets more slack: the model is of the lab's own mode, and uvicorn starts
// AnyIO's threads as requests come (10,000 of them take c10k's twin 10 to 16 s here).
constexpr int deadline_factor = 5, deadline_slack_s = 10, real_stack_slack_s = 30;
std::chrono::milliseconds batch_deadline(double model_s, int slack_s) {
    if (model_s <= 0) return {};  // no model (a server the lab did not start)
    return std::chrono::milliseconds(
        static_cast<long>((deadline_factor * model_s + slack_s) * 1000));
}

// The model a row the lab did not write is held to for its deadline: the lesson's slowest row's,
// and at least N·d (one request at a time). None in `lab load`, which has no lesson rows.
double deadline_model_s(const Scenario& scenario, const Load& load) {
    double slowest = 0;
    for (const Configuration& c : scenario.configurations)
        if (c.lab_written()) slowest = std::max(slowest, planned(c, load).model_s);
    return slowest > 0 ? std::max(slowest, load.requests * load.delay_ms / 1000.0) : 0;
}

// A student's app that answers the lesson's path 404 throughout has no route there: say so,
// rather than measure a batch of 404s, with the remedy the command takes (`lab run --app` takes
// --app-path; an exercise loads its starter's route, and takes no other).
void refuse_missing_route(const Scenario& s, const Configuration& c, const Batch& batch,
                          const std::string& target) {
    if (c.server != Server::app || batch.requests.empty() ||
        !std::ranges::all_of(batch.requests, [](auto& r) { return r.status == 404; }))
        return;
    std::string path = target.substr(0, target.find('?'));
    const bool exercise = !s.question.empty();
    throw std::runtime_error(
        "your app has no route at " + path + " (every request was answered 404): " +
        (exercise ? "the exercise loads " + s.load.method + " " + path +
                        ", the starter's route; keep your route at that path"
                  : std::string("pass --app-path PATH, the path of the route to load")));
}

// What the harness sends one configuration: its load, at its server (or nginx, or the external
// server), with its progress and live view.
LoadSpec load_spec(const Configuration& c, const Load& load,
                   const ConfigurationProcesses& processes, const RunSettings& settings) {
    LoadSpec spec;
    spec.host = processes.host;
    spec.port = processes.port;
    spec.method = c.queued() ? "POST" : load.method;  // POST /jobs enqueues
    spec.target = target_of(c, load);
    spec.poll_jobs = c.queued();
    if (processes.server) spec.run_key = own_run_key();  // (never sent to a server not the lab's)
    // A job's completion is its worker's own stamp, so polls need not be frequent to measure
    // it: a tenth of a job, from 10 to 100 ms, so that the polls themselves take little of
    // the CPU the workers compute on.
    spec.poll_every = std::clamp(std::chrono::milliseconds(load.delay_ms / 10),
                                 std::chrono::milliseconds(10), std::chrono::milliseconds(100));
    spec.requests = load.requests;
    spec.concurrency = load.concurrency;
    if (!load.flags.more_paths.empty()) spec.mix = load_targets(load);  // `lab load`'s mix
    spec.headers = load.flags.headers;
    spec.body = load.flags.body;
    spec.keep_alive = load.flags.keep_alive;
    spec.answer_limits = load.answer_limits;
    spec.threads = load.flags.client_threads;
    spec.run_for = std::chrono::milliseconds(load.flags.run_for_ms);
    spec.timeout = std::chrono::milliseconds(load.timeout_ms);
    spec.stagger = std::chrono::milliseconds(load.stagger_ms);
    // A student's app need not have /health: its bystander asks the probe's, on the same loop.
    spec.probe_target =
        c.server == Server::app && load.probe_path == "/health" ? "/__lab/health" : load.probe_path;
    spec.probe_every = std::chrono::milliseconds(load.probe_every_ms);
    spec.probe_after = std::chrono::milliseconds(load.probe_after_ms);
    // (a timed load has no total to count up to)
    if (settings.progress && load.flags.run_for_ms == 0)
        spec.on_answer = [p = settings.progress](int done, int total) { p->answered(done, total); };
    // (the concurrent client's batches and the open loop: the sequential one has no live view)
    spec.observer = settings.live;
    return spec;
}

// One batch of the websockets lesson: the load's N clients hold WebSockets open to the server,
// whose memory is read before they open and while they are held, so that memory_per_connection is
// what holding one costs that server.
Batch held_websockets(const LoadSpec& server, const Load& load,
                      const ConfigurationProcesses& processes, ConfigurationResult& result,
                      int batch) {
    result.pss_before_kib = processes.pss_kib();
    return run_websocket_batch(
        {.host = server.host,
         .port = server.port,
         .target = server.target.substr(0, server.target.find('?')),  // /ws, or a student app's
         .clients = load.requests,  // each on a connection of its own
         .hold = std::chrono::milliseconds(load.duration_ms),
         .wait_ms = load.delay_ms,
         .wait_at = std::chrono::milliseconds(load.stall_at_ms),
         .on_held = [&](int /*open*/) { result.pss_kib = processes.pss_kib(); },
         .observer = server.observer},
        batch);
}

// One configuration's run, step by step: start its processes, warm up, send the measured batches
// (each followed by the server's own account), and note what the processes held in memory.
class ConfigurationRun {
public:
    // `started`: its processes, already started (a student's app, whose start was its check).
    ConfigurationRun(const Scenario& scenario, const Configuration& c, const RunSettings& settings,
                     ConfigurationProcesses* started)
        : scenario_(scenario),
          c_(c),
          settings_(settings),
          load_(load_of(scenario.load, c)),
          result_(planned(c, scenario.load)),
          started_(started) {}

    ConfigurationResult run() && {
        try {
            start();
            // batch 0 is the warm-up: first connections, page faults
            for (int k = 0; k <= load_.repeat; ++k) {
                if (settings_.progress && (k > 0 || load_.warmup))
                    settings_.progress->batch(k, load_.repeat, load_.requests);
                if (k == 0) warm_up();
                else measure(k);
            }
            if (load_.ramp_max_in_flight > 0) ramp();
            finish();
        } catch (const std::exception& e) {
            result_.error = e.what();
            stop_processes();
            return std::move(result_);
        }
        judge(result_, load_);
        return std::move(result_);
    }

private:
    // Its server (or hosts behind nginx, whose /stats would be one host's: not asked), the queue
    // workers its jobs go to, and each batch's deadline.
    void start() {
        processes_ = started_ ? std::move(*started_) : start_processes(c_, settings_);
        start_rq_worker_for_app(processes_, c_, settings_);
        spec_ = load_spec(c_, load_, processes_, settings_);
        // A background task's answer is due at once, but its work may hold the server up to N·c.
        deadline_s_ = load_.background() ? load_.requests * load_.delay_ms / 1000.0
                      : c_.lab_written() ? result_.model_s
                                         : deadline_model_s(scenario_, load_);
        slack_s_ = c_.server == Server::fastapi ? real_stack_slack_s : deadline_slack_s;
        spec_.deadline = batch_deadline(deadline_s_, slack_s_);
        if (spec_.deadline.count() > 0) spec_.deadline += spec_.probe_after;
        // its own account, where it keeps one the lab can read
        account_ = server() ? c_.stats_path() : "";
        // A student's app with an RQ worker: its jobs are counted from RQ's registries, each
        // count waiting at most the time one worker takes for all N jobs, generously.
        const double all_work_s = load_.requests * load_.delay_ms / 1000.0;
        if (c_.server == Server::app && !processes_.queue_workers.empty())
            jobs_ = RqBatchCount{settings_.redis_url,
                                 std::chrono::milliseconds(static_cast<long>(
                                     (deadline_factor * all_work_s + deadline_slack_s) * 1000))};
    }

    // Null behind nginx, or for a server the lab did not start.
    ServerProcess* server() const { return processes_.server.get(); }

    Batch send(int k) {
        return (c_.client == Client::sequential ? run_sequential_batch : run_concurrent_batch)(
            spec_, k);
    }

    // The warm-up, or a measured batch (kept, with its statistics). A batch cut off by its
    // deadline is kept too (its unanswered requests as `timeout`), and the configuration ends there
    // with the reason: its server is not going to answer. So is the batch a student's app died in
    // (its requests recorded as failed).
    void keep(BatchRecord row, bool measured) {
        refuse_missing_route(scenario_, c_, row, spec_.target);
        const bool failed = !std::ranges::all_of(row.requests, &RequestRecord::ok);
        auto gone = c_.server == Server::app && server()
                        ? server()->exited(std::chrono::seconds(failed ? 1 : 0))
                        : std::nullopt;
        const bool cut_off = row.cut_off;
        if (!cut_off && !gone && !measured) return;
        row.stats = summarize(row);
        result_.batches.push_back(std::move(row));
        if (!cut_off && !gone) return;
        if (gone)
            throw std::runtime_error("your app " + *gone +
                                     " during the run: " + last_lines(server()->log(), 4));
        throw std::runtime_error(
            fmt::format("no answer within {:.1f} s ({}× the model's {:.3f} s + {} s): is the "
                        "server stopped or overloaded?",
                        static_cast<double>(spec_.deadline.count()) / 1000.0, deadline_factor,
                        deadline_s_, slack_s_));
    }

    void warm_up() {
        if (load_.warmup) keep(BatchRecord(send(0)), false);  // (closed loop, even in an open run)
        if (!account_.empty() && load_.background())
            wait_for_background_tasks(spec_, account_, spec_.deadline);
    }

    // An open-loop batch: its requests sent on their schedule, whatever the server does.
    void measure_open_loop(int k, const CpuSample& before) {
        OpenLoopSpec open{
            spec_, load_.rate, std::chrono::milliseconds(load_.duration_ms),
            load_.stall_ms > 0 ? load_.path + "?ms=" + std::to_string(load_.stall_ms) : "",
            std::chrono::milliseconds(load_.stall_at_ms)};
        OpenLoopResult ran = run_open_loop(open, k);
        BatchRecord& row = result_.batches.emplace_back(std::move(ran.batch));
        row.cpu = cpu_between(before, cpu_sample());
        row.open_loop = std::move(ran);
        row.stats = summarize(row);
    }

    void measure(int k) {
        // (Before the batch, the last one's work done: the answers do not share the cores with it.)
        if (jobs_) jobs_->before_batch();
        if (!account_.empty()) stats_of(spec_, account_ + "?reset=1");
        const CpuSample before = cpu_sample();
        if (load_.rate > 0) {
            measure_open_loop(k, before);
        } else if (load_.websocket()) {  // the websockets lesson: WebSockets held, ticks timed
            keep(BatchRecord(held_websockets(spec_, load_, processes_, result_, k)), true);
        } else {
            BatchRecord row(send(k));
            row.cpu = cpu_between(before, cpu_sample());
            keep(std::move(row), true);
        }
        if (!account_.empty() && load_.background())
            wait_for_background_tasks(spec_, account_, spec_.deadline);
        BatchRecord& row = result_.batches.back();
        if (!account_.empty()) row.server = server_account(spec_, account_);
        if (jobs_) row.jobs_done = jobs_->finished_in_batch();
    }

    // Where the row bends, and why: a twin says what it counted of its limits on its GET /stats.
    void ramp() {
        result_.ramp =
            ramp_configuration(spec_, load_.ramp_max_in_flight, account_, settings_.progress);
        nlohmann::json limits = nlohmann::json::object();
        if (c_.server == Server::fastapi)
            limits = stats_of(spec_, account_).value("limits", limits);
        result_.knee_cause = knee_cause(c_, load_, result_.ramp, limits);
    }

    // Every process counts (workers, hosts, queue workers): each by its own peak (VmHWM), and by
    // its share of the pages it holds now (PSS), while the server still holds them.
    void finish() {
        result_.peak_rss_kib = processes_.peak_rss_kib();
        // (a WebSocket row's: read while they were held)
        if (!load_.websocket()) result_.pss_kib = processes_.pss_kib();
        stop_processes();
    }

    // Stopped, and its server's log kept: with, for a student's app, what it had left running and
    // was stopped with it (said here too: the class should know its app forked them).
    void stop_processes() {
        processes_.stop();
        if (!server()) return;
        result_.server_log = server()->log();
        if (std::string left = leftovers_stopped(*server()); !left.empty())
            note(settings_.progress, left);
    }

    const Scenario& scenario_;
    const Configuration& c_;
    const RunSettings& settings_;
    const Load load_;  // the scenario's, with this configuration's own N, C and d (a sweep's point)
    ConfigurationResult result_;
    ConfigurationProcesses processes_;
    LoadSpec spec_;
    double deadline_s_ = 0;
    int slack_s_ = 0;
    std::string account_;
    std::optional<RqBatchCount> jobs_;  // a student's app's jobs, counted in RQ's registries
    ConfigurationProcesses* started_ = nullptr;
};

}  // namespace

RunResult run_scenario(const Scenario& scenario, RunSettings settings) {
    // What the class waits: services, servers, batches
    const std::int64_t began_us = monotonic_us();
    StartedServices services;  // (until it returns)
    start_services(services, scenario, settings);
    // A student's app starts before the lesson's rows: its start is its check (an app that cannot
    // be served is refused before any load, AppWontStart), so its module runs once, not twice.
    auto app_row = std::ranges::find(scenario.configurations, Server::app, &Configuration::server);
    std::optional<ConfigurationProcesses> app;
    if (app_row != scenario.configurations.end()) app = start_processes(*app_row, settings);
    RunResult run{scenario, {}};
    AwakeCpus awake{settings.keep_cpus_awake};  // while the batches run (if Linux lets us)
    run.cpus_kept_awake = awake.held();
    int index = 0, count = static_cast<int>(scenario.configurations.size());
    for (const Configuration& c : scenario.configurations) {
        if (settings.live) settings.live->configuration(index, scenario.load.repeat);
        if (settings.progress) settings.progress->configuration(++index, count, c.label);
        run.configurations.push_back(
            ConfigurationRun(scenario, c, settings, app && &c == &*app_row ? &*app : nullptr)
                .run());
        if (settings.measure) settings.measure(run);
        if (settings.on_configuration_done) settings.on_configuration_done(run);
    }
    compare_with_lesson(run);  // a student's row: which of the lesson's rows it behaved like
    run.run_s = static_cast<double>(monotonic_us() - began_us) / 1e6;
    if (settings.progress) settings.progress->done();
    return run;
}

}  // namespace lab
