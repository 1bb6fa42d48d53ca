// `lab serve`: one server in one concurrency mode, with the services it may wait on.
#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <iostream>
#include <memory>

#include "lab/live/live_hub.hpp"
#include "lab/modes/modes.hpp"
#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"

namespace lab {

namespace {

// What `lab serve` is told beyond ServeOptions: the services and the live view it starts itself.
struct ServeExtras : LiveOptions {
    bool private_database = false, private_redis = false;
};

// The mode and its knobs.
void declare_mode(CLI::App& app, ServeOptions& o) {
    app.add_option("--mode", o.mode, "Concurrency mode")
        ->required()
        ->check(CLI::IsMember(mode_names()));
    app.add_option("--host", o.host,
                   "Address to bind (loopback unless you say otherwise; 0.0.0.0 in a container)")
        ->transform(listen_address)
        ->capture_default_str();
    app.add_option("--port", o.port, "Port to listen on; 0 picks a free one")
        ->capture_default_str();
    in_range(app.add_option("--threads", o.threads, "thread-pool: pool size T"), 1, 10'000);
    in_range(app.add_option("--workers", o.workers, "multi-process: worker processes W"), 1, 64);
    one_of<Balance>(app.add_option("--balance", o.balance,
                                   "multi-process: how workers share the port: shared (one socket, "
                                   "they race to accept), reuseport "
                                   "(a socket each, the kernel hashes), round-robin (this process "
                                   "accepts and deals them in turn)"))
        ->default_str("shared");
    app.add_option("--worker-mode", o.worker_mode, "multi-process: the loop each worker runs")
        ->check(CLI::IsMember(mode_names(true)))
        ->capture_default_str();
    app.add_flag("--explain", o.explain,
                 "Print one line per event: read by the loop (and whether it may have waited in "
                 "its socket), started, done, answered, loop blocked");
    app.add_flag("--gil", o.gil, "Emulate Python's GIL: CPU work holds one process-wide lock");
    in_range(app.add_option("--idle-timeout-ms", o.idle_timeout_ms,
                            "Close a connection that has not sent a whole request by then"),
             100, 600'000);
    in_range(app.add_option("--slow-ms", o.slow_ms, "Log handlers that hold the loop this long"), 1,
             60'000);
}

// What its requests may wait on (PostgreSQL, a downstream server, Redis), and the live view.
void declare_services(CLI::App& app, ServeOptions& o, ServeExtras& extras) {
    auto url = app.add_option("--database-url", o.database_url,
                              "GET /db and /users/{id} query this PostgreSQL (postgresql://...)");
    app.add_flag(
           "--private-database", extras.private_database,
           "GET /db queries a PostgreSQL cluster of the lab's own, started now and deleted on exit")
        ->excludes(url);
    in_range(app.add_option("--db-pool", o.db_pool, "Connections to PostgreSQL per process, P"), 1,
             100);
    app.add_option("--downstream-url", o.downstream_url,
                   "GET /fetch calls this server's /delay (http://IP:PORT)");
    auto redis_url = app.add_option(
        "--redis-url", o.redis_url,
        "GET /cache asks this Redis, and /jobs queues on it (unix:///PATH or redis://IP:PORT)");
    app.add_flag("--blocking-redis", o.blocking_redis,
                 "async-sleep: GET /cache through the blocking client on the loop (redis-py in "
                 "async def); the rest still awaits");
    app.add_flag("--private-redis", extras.private_redis,
                 "GET /cache asks a Redis of the lab's own, started now and deleted on exit")
        ->excludes(redis_url);
    app.add_option("--events-to", o.events_to,
                   "Send each request's marks (read, started, ended, answered) to this unix "
                   "datagram socket as they happen: a live view's (lab run --live passes it)");
    extras.declare_live(app, "as the server reads, serves and answers it")->excludes("--events-to");
    app.footer(
        "Endpoints: GET / | GET|POST /delay?ms=N (wait N ms; 0..60000, default 100) | "
        "GET|POST /cpu?ms=N (compute N ms of CPU) | GET|POST /db?ms=N (PostgreSQL sleeps N ms) | "
        "GET /users/{id} (a row of PostgreSQL's users table, ids 1..1000) | "
        "GET|POST /fetch?ms=N (a downstream server answers after N ms) | "
        "GET|POST /cache[?ms=N] (a Redis GET, or a BLPOP that waits N ms) | "
        "POST /background/delay|cpu?ms=N (answered 202, then the task waits or computes N ms) | "
        "POST /jobs?cpu_ms=N|wait_ms=N (answered 202 with a job id; `lab worker` runs it) | "
        "GET /jobs/{id} | GET /health | GET /stats[?reset=1]");
}

// Starts the services and the live view it was asked for, then serves until it is stopped.
// Its own services are stopped and deleted however this process ends (their keepers).
int serve_with_extras(ServeOptions o, const ServeExtras& extras) {
    std::optional<PrivatePostgres> own_database;
    std::optional<PrivateRedis> own_redis;
    if (extras.private_database) {
        own_database.emplace();
        o.database_url = own_database->url();
        std::cerr << "lab serve: PostgreSQL of its own in " << own_database->folder().string()
                  << " (started in " << fixed(own_database->start_seconds(), 2) << " s)\n";
    }
    if (extras.private_redis) {
        own_redis.emplace();
        o.redis_url = own_redis->url();
        std::cerr << "lab serve: Redis of its own in " << own_redis->folder().string()
                  << " (started in " << fixed(own_redis->start_seconds() * 1000, 0) << " ms)\n";
    }
    // The live view after the services (their keepers fork before any thread starts): the
    // server's marks go to it as they happen, from this process and its workers.
    std::unique_ptr<LiveHub> hub;
    if (extras.live) {
        hub = std::make_unique<LiveHub>(extras.live_port, extras.live_host);
        o.events_to = hub->marks_path();
        std::cerr << "live view: " << hub->url() << '\n';
    }
    return serve_mode(o);
}

}  // namespace

Action define_serve(CLI::App& app) {
    auto o = std::make_shared<ServeOptions>();
    auto extras = std::make_shared<ServeExtras>();
    declare_mode(app, *o);
    declare_services(app, *o, *extras);
    return [o, extras] {
        try {
            return serve_with_extras(*o, *extras);
        } catch (const std::exception& e) {
            std::cerr << "lab serve: " << e.what() << '\n';
            return exit_failed;
        }
    };
}

}  // namespace lab
