#pragma once
// What one configuration of a scenario starts, and stops when it is done: its server (`lab serve`
// in a mode, or a FastAPI twin under uvicorn or gunicorn), or H hosts behind nginx (scale-out), and
// the queue workers its jobs go to (`lab worker`, or RQ workers for a twin or for a student's app
// on a Redis). Each is a child process in a group of its own that dies with `lab` (ServerProcess),
// or a kept service (nginx).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lab/live/live_hub.hpp"
#include "lab/run/progress.hpp"
#include "lab/run/run_result.hpp"
#include "lab/run/server_process.hpp"
#include "lab/services/nginx_balancer.hpp"
#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"

namespace lab {

// Debian's python3-fastapi, -uvicorn, -rq and gunicorn belong to Debian's own interpreter, which
// may not be the first python3 on PATH (pyenv and the like).
inline constexpr const char* python = "/usr/bin/python3";

// A script of lab/reference/ (installed beside `lab`, or in the source tree).
std::string reference_script(const char* name);

struct ConfigurationProcesses {
    // Null for hosts behind nginx and for an external server
    std::unique_ptr<ServerProcess> server;
    std::vector<std::unique_ptr<ServerProcess>> hosts;
    std::unique_ptr<NginxBalancer> nginx;
    std::vector<std::unique_ptr<ServerProcess>> queue_workers;
    std::string host;  // where the load goes: the server, nginx, or the external server
    std::uint16_t port = 0;

    // Peak resident memory, each process by its own high-water mark, summed over all of them
    // (their children too); -1 for an external server.
    long peak_rss_kib() const;
    long pss_kib() const;  // now, summed the same way
    void stop();  // idempotent; also done when this object goes
};

// Where and how a scenario runs: which `lab` serves, who hears of its progress, which services
// it uses that are already running.
struct RunSettings {
    std::string server_binary;  // the `lab` executable that serves
    Progress* progress = nullptr;
    std::string database_url;  // /db: this PostgreSQL; empty: one of the lab's own (lab/services/)
    std::string downstream_url;  // /fetch: this server's /delay; empty: a `lab serve` of its own
    std::string redis_url;  // /cache: this Redis; empty: one of the lab's own
    LiveHub* live = nullptr;  // a live view (--live): told of every batch and request as they go
    // As each row ends: its figures, and the run's so far (lab/figures/figure_value.hpp)
    std::function<void(RunResult& so_far)> measure = {};
    // E.g. the live view's table row
    std::function<void(const RunResult& so_far)> on_configuration_done = {};
    // Idle CPUs kept from sleeping deeply while it runs (lab/awake_cpus.hpp)
    bool keep_cpus_awake = true;
    // A student's app: serve.py's own options for its probe (`lab doctor`: "--hold-ms", "20";
    // "--no-lifespan" to read its routes without running its start-up).
    std::vector<std::string> app_options = {};
};

// Throws std::runtime_error (one line) if something does not start, AppWontStart (your_app.hpp)
// if that is a student's app; what did start is stopped.
ConfigurationProcesses start_processes(const Configuration& c, const RunSettings& settings);

// The services a scenario's routes call, each the lab's own unless `settings` names one (their
// URLs go into `settings`): PostgreSQL and Redis (stopped and deleted as this goes, and by their
// keepers if `lab` is killed), and the downstream service /fetch calls, a `lab serve` whose /delay
// awaits, so that it answers every call after d however many arrive together.
struct StartedServices {
    std::optional<PrivatePostgres> database;
    std::optional<PrivateRedis> cache;
    std::unique_ptr<ServerProcess> downstream;
};
void start_services(StartedServices& started, const Scenario& s, RunSettings& settings);

// A student's app on a Redis may hand its work to RQ, on queues it names itself: one RQ worker
// takes jobs from every queue there, importing their functions from the app's own folder, so that
// the lab can count from RQ's registries whether the work was done. Started when the app's row
// begins, not with the app (which starts before the lesson's rows): it would take their jobs too.
// Without python3-rq the app is still served, and the count says why it is missing.
void start_rq_worker_for_app(ConfigurationProcesses& p, const Configuration& c,
                             const RunSettings& settings);

// What was stopped that the server's app had left running, or "": what lab found still in the
// server's cgroup after it (an app that killed or left serve.py), else what the server's log says
// serve.py stopped ("stopped 2 processes your app left: ...").
std::string leftovers_stopped(const ServerProcess& server);

}  // namespace lab
