#include "lab/run/configuration_processes.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lab/modes/modes.hpp"
#include "lab/containment/group_memory.hpp"
#include "lab/run/your_app.hpp"

namespace lab {
namespace {

// What a server is given to wait on: the database (/db), the downstream service (/fetch), Redis.
void add_services(std::vector<std::string>& args, const Configuration& c,
                  const RunSettings& settings) {
    if (!settings.database_url.empty())
        args.insert(args.end(), {"--database-url", settings.database_url, "--db-pool",
                                 std::to_string(c.db_pool)});
    if (!settings.downstream_url.empty())
        args.insert(args.end(), {"--downstream-url", settings.downstream_url});
    if (!settings.redis_url.empty()) args.insert(args.end(), {"--redis-url", settings.redis_url});
}

std::vector<std::string> serve_args(const Configuration& c, const RunSettings& settings) {
    auto args = serve_arguments(c.mode, c.threads, c.workers, c.balance, c.worker_mode);
    if (c.gil) args.push_back("--gil");
    if (c.blocking_redis) args.push_back("--blocking-redis");
    add_services(args, c, settings);
    if (settings.live)
        args.insert(args.end(), {"--events-to", settings.live->marks_path()});  // its marks, live
    return args;
}

// A FastAPI twin under serve.py: the documents' route for its lab mode (the registry's) unless
// the scenario names one; worker processes, the row's W where the mode has workers, else one;
// threads per process, the pool's T, but one for the WSGI twin (flask) of a row with worker
// processes, which makes them gunicorn's sync workers (a process serves one request at a time).
std::vector<std::string> fastapi_command(const Configuration& c, const RunSettings& settings) {
    const ModeInfo* mode = find_mode(c.mode);
    const bool workers = mode && mode->takes_workers;
    const std::string variant = c.fastapi_variant != TwinRoute::matching
                                    ? name_of(c.fastapi_variant)
                                : mode ? std::string(mode->fastapi_variant)
                                       : "blocking";
    const bool sync_workers = c.fastapi_variant == TwinRoute::flask && workers;
    std::vector<std::string> command{python,      reference_script("serve.py"),
                                     "--variant", variant,
                                     "--workers", std::to_string(workers ? c.workers : 1),
                                     "--threads", std::to_string(sync_workers ? 1 : c.threads)};
    if (c.fastapi_server != TwinServer::uvicorn)
        command.insert(command.end(), {"--server", name_of(c.fastapi_server)});
    command.insert(command.end(), {"--loop", name_of(c.fastapi_loop)});
    add_services(command, c, settings);
    if (c.db_pool_kept > 0 && !settings.database_url.empty())  // (an --db-pool below it: P)
        command.insert(command.end(),
                       {"--db-pool-kept", std::to_string(std::min(c.db_pool_kept, c.db_pool))});
    return command;
}

// A student's own ASGI app under uvicorn, wrapped by the lab's probe (lab/reference/app_probe.py),
// given the run's services under the names apps use (DATABASE_URL, ...). An app that fails to
// import says why on stderr; the error carries its last lines (ServerProcess).
std::unique_ptr<ServerProcess> start_app(const Configuration& c, const RunSettings& settings) {
    std::vector<std::string> command{python, reference_script("serve.py"), "--app", c.app};
    if (!c.app_dir.empty()) command.insert(command.end(), {"--app-dir", c.app_dir});
    add_services(command, c, settings);
    if (settings.live) command.insert(command.end(), {"--events-to", settings.live->marks_path()});
    command.insert(command.end(), settings.app_options.begin(), settings.app_options.end());
    try {
        // (serve.py gives up at 30 s and says why)
        return std::make_unique<ServerProcess>(command, std::chrono::seconds(35));
    } catch (const std::runtime_error& e) {
        // the probe's own words when it has them, else the log's last lines
        std::string what = e.what();
        auto said = what.find("your app");
        throw AppWontStart(said != std::string::npos
                               ? last_lines(what.substr(said), 8)
                               : "your app did not start: " + last_lines(what, 6));
    }
}

// The configuration's server: a FastAPI twin, a student's app, or `lab serve` in its mode.
std::unique_ptr<ServerProcess> start_server(const Configuration& c, const RunSettings& settings) {
    if (c.server == Server::app) return start_app(c, settings);
    if (c.server == Server::fastapi)
        return std::make_unique<ServerProcess>(fastapi_command(c, settings));
    // A thread pool starts all its threads before it listens: 10,000 take seconds on a slow
    // machine (or under a sanitizer), which is not a server that hangs.
    const ModeInfo* mode = find_mode(c.mode);
    auto timeout =
        ready_within + (mode && mode->takes_threads ? c.threads * std::chrono::milliseconds(5)
                                                    : std::chrono::milliseconds(0));
    return std::make_unique<ServerProcess>(settings.server_binary, serve_args(c, settings),
                                           timeout);
}

// Scale-out: H `lab serve` hosts, each a server of the configuration's mode, and nginx in front.
void start_hosts(ConfigurationProcesses& p, const Configuration& c, const RunSettings& settings) {
    std::vector<std::uint16_t> ports;
    for (int h = 0; h < c.hosts; ++h) {
        p.hosts.push_back(
            std::make_unique<ServerProcess>(settings.server_binary, serve_args(c, settings)));
        ports.push_back(p.hosts.back()->port());
    }
    p.nginx = std::make_unique<NginxBalancer>(ports, c.upstream);
}

// Its jobs' queue workers: each a `lab worker` (a FastAPI twin's: an RQ worker) on the run's Redis.
void start_queue_workers(ConfigurationProcesses& p, const Configuration& c,
                         const RunSettings& settings) {
    std::vector<std::string> command{settings.server_binary, "worker", "--redis-url",
                                     settings.redis_url};
    if (c.server == Server::fastapi)
        command = {python, reference_script("rq_worker.py"), "--redis-url", settings.redis_url};
    for (int w = 0; w < c.queue_workers; ++w)
        p.queue_workers.push_back(std::make_unique<ServerProcess>(
            command, ready_within, ServerProcess::Ready::first_line));
}

}  // namespace

std::string reference_script(const char* name) {
    return (lab_data_dir("LAB_REFERENCE", "reference", "lab/reference") / name).string();
}

void start_rq_worker_for_app(ConfigurationProcesses& p, const Configuration& c,
                             const RunSettings& settings) {
    if (c.server != Server::app || settings.redis_url.empty()) return;
    std::vector<std::string> command{python,
                                     reference_script("rq_worker.py"),
                                     "--redis-url",
                                     settings.redis_url,
                                     "--every-queue",
                                     "--app",
                                     c.app};
    if (!c.app_dir.empty()) command.insert(command.end(), {"--app-dir", c.app_dir});
    try {
        p.queue_workers.push_back(std::make_unique<ServerProcess>(
            command, ready_within, ServerProcess::Ready::first_line));
    } catch (const std::runtime_error& e) {
        note(settings.progress,
             "no RQ worker for your app's jobs, so none is counted: " + last_lines(e.what(), 2));
    }
}

std::string leftovers_stopped(const ServerProcess& server) {
    const auto& left = server.left_behind();  // what outlived serve.py's own stopping
    if (!left.empty()) {
        std::string said = "stopped " + std::to_string(left.size()) + " process" +
                           (left.size() == 1 ? "" : "es") + " left in the server's cgroup";
        if (!server.ended_before_stop().empty())
            said += " (the server itself " + server.ended_before_stop() + " before lab stopped it)";
        for (std::size_t k = 0; k < left.size(); ++k) said += (k ? ", " : ": ") + left[k];
        return said;
    }
    const std::string log = server.log(), phrase = " your app left: ";
    auto at = log.rfind(phrase);
    if (at == std::string::npos) return "";
    auto begin = log.rfind('\n', at),
         stopped = log.find("stopped ", begin == std::string::npos ? 0 : begin);
    return stopped < at ? log.substr(stopped, log.find('\n', at) - stopped) : "";
}

ConfigurationProcesses start_processes(const Configuration& c, const RunSettings& settings) {
    ConfigurationProcesses p;
    if (c.server == Server::external) {  // already running: the lab only sends it load
        p.host = c.host;
        p.port = c.port;
        return p;
    }
    if (c.behind_nginx()) {
        start_hosts(p, c, settings);
        p.host = "127.0.0.1";
        p.port = p.nginx->port();
    } else {
        p.server = start_server(c, settings);
        p.host = p.server->host();
        p.port = p.server->port();
    }
    start_queue_workers(p, c, settings);
    return p;  // (if anything threw, what had started went with `p`)
}

// Every process counts: the server's group (its workers too), the hosts, the queue workers.
static long summed_over(const ConfigurationProcesses& p, long (*count)(pid_t group)) {
    if (!p.server && p.hosts.empty()) return -1;
    long total = 0;
    auto add = [&](const std::unique_ptr<ServerProcess>& s) {
        total += std::max(0L, count(s->pid()));
    };
    if (p.server) add(p.server);
    std::ranges::for_each(p.hosts, add);
    std::ranges::for_each(p.queue_workers, add);
    return total;
}

long ConfigurationProcesses::peak_rss_kib() const { return summed_over(*this, group_peak_rss_kib); }

long ConfigurationProcesses::pss_kib() const { return summed_over(*this, group_pss_kib); }

void ConfigurationProcesses::stop() {
    nginx.reset();  // first, so that nothing more reaches the hosts
    for (auto* group : {&hosts, &queue_workers})
        for (auto& s : *group) s->stop();
    if (server) server->stop();
}

void start_services(StartedServices& started, const Scenario& s, RunSettings& settings) {
    if (needs_postgres(s) && settings.database_url.empty()) {
        settings.database_url = started.database.emplace().url();
        note(settings.progress,
             fmt::format("PostgreSQL of the lab's own, in {}, started in {:.2f} s",
                         started.database->folder().string(), started.database->start_seconds()));
    }
    if (needs_redis(s) && settings.redis_url.empty()) {
        settings.redis_url = started.cache.emplace().url();
        note(settings.progress,
             fmt::format("Redis of the lab's own, in {}, started in {:.0f} ms",
                         started.cache->folder().string(), started.cache->start_seconds() * 1000));
    }
    if (needs_downstream(s) && settings.downstream_url.empty()) {
        started.downstream = std::make_unique<ServerProcess>(
            settings.server_binary, std::vector<std::string>{"--mode", "async-sleep"});
        settings.downstream_url = "http://" + started.downstream->host() + ":" +
                                  std::to_string(started.downstream->port());
    }
}

}  // namespace lab
