// /db on every mode against a real PostgreSQL (a private cluster the test starts, as `lab run`
// does): physical bounds on the makespan, and PostgreSQL's own count of queries run at once.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <libpq-fe.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"
#include "harness/statistics.hpp"
#include "lab/drivers/postgres.hpp"
#include "lab/run/configuration_processes.hpp"
#include "lab/run/server_process.hpp"
#include "lab/services/private_postgres.hpp"
#include "support.hpp"

namespace {

// One cluster for every test here, stopped (and its folder deleted) when the tests end.
const std::string& database_url() {
    static lab::PrivatePostgres cluster;
    return cluster.url();
}

// A /db request to `server` that cannot reach a database: answered `status`, with `reason` in
// its body, and the server goes on answering /health.
void db_fails_and_serving_goes_on(const lab::ServerProcess& server, int status,
                                  const std::string& reason) {
    httplib::Client client(server.host(), server.port());
    auto failed = client.Get("/db?ms=1");
    REQUIRE(failed);
    CHECK(failed->status == status);
    CHECK(failed->body.find(reason) != std::string::npos);
    CHECK(client.Get("/health")->status == 200);
}

lab::BatchStats ten_queries(const std::vector<std::string>& mode_args, int ms = 100,
                            int pool = 10) {
    std::vector<std::string> args = mode_args;
    args.insert(args.end(), {"--database-url", database_url(), "--db-pool", std::to_string(pool)});
    lab::ServerProcess server(LAB_BINARY, args);
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.target = "/db?ms=" + std::to_string(ms);
    spec.requests = spec.concurrency = 10;
    lab::run_concurrent_batch(spec);  // warm-up: the pool opens its connections
    return lab::summarize(lab::run_concurrent_batch(spec));
}

}  // namespace

TEST_CASE("/db with the blocking driver on the loop: PostgreSQL runs one query at a time",
          "[server][database]") {
    auto stats = ten_queries({"--mode", "blocking-in-loop"});
    CHECK(stats.ok == 10);
    CHECK(stats.makespan_s >= 1.0);  // ten 100 ms sleeps in PostgreSQL, one after another
    CHECK(stats.makespan_s < 1.0 * 1.5);
    CHECK(stats.max_in_database == 1);
    CHECK(stats.max_in_service == 1);
}

TEST_CASE("/db with the async driver: the loop sends every query, PostgreSQL runs them together",
          "[server][database]") {
    auto stats = ten_queries({"--mode", "async-sleep"});
    CHECK(stats.ok == 10);
    CHECK(stats.makespan_s >= 0.1);
    CHECK(stats.makespan_s < 0.5);  // well under N·d
    CHECK(stats.max_in_database == 10);
}

TEST_CASE("/db with the blocking driver on pool threads: together as well", "[server][database]") {
    auto stats = ten_queries({"--mode", "thread-pool", "--threads", "40"});
    CHECK(stats.ok == 10);
    CHECK(stats.makespan_s >= 0.1);
    CHECK(stats.makespan_s < 0.5);
    CHECK(stats.max_in_database == 10);
}

TEST_CASE("/db through a pool of 2 connections: the pool sets the pace, ceil(N/P)·d",
          "[server][database]") {
    auto stats = ten_queries({"--mode", "async-sleep"}, 100, 2);
    CHECK(stats.ok == 10);
    CHECK(stats.makespan_s >= 0.5);  // five waves of two
    CHECK(stats.makespan_s < 0.5 * 1.5);
    CHECK(stats.max_in_database == 2);
}

TEST_CASE("/db in multi-process: each worker's blocking driver, workers side by side",
          "[server][database]") {
    auto stats =
        ten_queries({"--mode", "multi-process", "--workers", "2", "--balance", "reuseport"});
    CHECK(stats.ok == 10);
    CHECK(stats.max_in_database <= 2);  // one query per blocked worker loop
    CHECK(stats.makespan_s >= 0.5);  // at best five each
}

TEST_CASE("/db refuses bad input with a 4xx and keeps serving; without a database it says so",
          "[server][database]") {
    lab::ServerProcess with(LAB_BINARY,
                            {"--mode", "async-sleep", "--database-url", database_url()});
    httplib::Client client(with.host(), with.port());
    CHECK(client.Get("/db?ms=-1")->status == 400);
    CHECK(client.Get("/db?ms=60001")->status == 400);
    CHECK(client.Get("/db?ms=abc")->status == 400);
    CHECK(client.Delete("/db")->status == 405);
    auto ok = client.Get("/db?ms=1");
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(ok->body.find("\"db_start_us\"") != std::string::npos);

    lab::ServerProcess without(LAB_BINARY, {"--mode", "async-sleep"});
    db_fails_and_serving_goes_on(without, 503, "--database-url");
}

TEST_CASE("/users/{id} looks a row up in a real table, in every mode; a missing id is a 404",
          "[server][database]") {
    for (auto mode : {"blocking-in-loop", "async-sleep", "thread-pool", "multi-process"}) {
        INFO(mode);
        lab::ServerProcess server(
            LAB_BINARY, {"--mode", mode, "--database-url", database_url(), "--db-pool", "2"});
        httplib::Client client(server.host(), server.port());
        auto found = client.Get("/users/42");
        REQUIRE(found);
        CHECK(found->status == 200);
        auto row = nlohmann::json::parse(found->body);
        CHECK(row["id"] == 42);
        CHECK(row["name"] == "user 42");
        CHECK(row["db_end_us"].get<std::int64_t>() >= row["db_start_us"].get<std::int64_t>());
        auto missing = client.Get("/users/" + std::to_string(lab::seeded_users + 1));
        REQUIRE(missing);
        CHECK(missing->status == 404);
        CHECK(client.Get("/users/abc")->status == 400);
        CHECK(client.Get("/health")->status == 200);
    }
}

TEST_CASE(
    "100 lookups of /users/{id} through the async driver: a real indexed query takes well under a "
    "millisecond of the database's time",
    "[server][database]") {
    lab::ServerProcess server(
        LAB_BINARY, {"--mode", "async-sleep", "--database-url", database_url(), "--db-pool", "4"});
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.target = "/users/7";
    spec.requests = 100;
    spec.concurrency = 10;
    lab::run_concurrent_batch(spec);  // warm-up: four connections open and fill their tables
    auto batch = lab::run_concurrent_batch(spec);
    std::vector<double> in_database_ms;
    for (const auto& r : batch.requests) {
        CHECK(r.status == 200);
        CHECK(r.has_db_stamps());
        in_database_ms.push_back(static_cast<double>(r.db_end_us - r.db_start_us) / 1000.0);
    }
    std::sort(in_database_ms.begin(), in_database_ms.end());
    CHECK(in_database_ms.front() >= 0);
    CHECK(in_database_ms[in_database_ms.size() / 2] <
          1.0);  // the median lookup, by PostgreSQL's clock
}

TEST_CASE("/db on a database that went away: a 500 with the reason, and the server keeps serving",
          "[server][database]") {
    lab::ServerProcess server(LAB_BINARY,
                              {"--mode", "async-sleep", "--database-url",
                               "postgresql://lab@/postgres?host=/nonexistent-lab-socket-dir"});
    db_fails_and_serving_goes_on(server, 500, "PostgreSQL");
}

TEST_CASE("lab serve --private-database leaves no PostgreSQL and no folder behind when killed",
          "[server][database]") {
    for (int signal : {SIGKILL, SIGTERM}) {
        lab::ServerProcess server(
            {LAB_BINARY, "serve", "--mode", "async-sleep", "--private-database"},
            std::chrono::seconds(30));
        // "lab serve: PostgreSQL of its own in /tmp/... (started in ...)"
        std::string log = server.log();
        auto at = log.find(" in /");
        REQUIRE(at != std::string::npos);
        std::string folder = log.substr(at + 4, log.find(" (started", at) - at - 4);
        REQUIRE(std::filesystem::exists(folder));
        httplib::Client client(server.host(), server.port());
        auto answer = client.Get("/db?ms=1");
        REQUIRE(answer);
        CHECK(answer->status == 200);

        kill(server.pid(), signal);  // lab serve alone: its keeper must clean up after it
        CHECK(test::eventually([&] { return !std::filesystem::exists(folder); },
                               std::chrono::seconds(15)));
        CHECK(test::processes_naming(folder).empty());
    }
}

// A wait that fails must not leave its query on the connection: the pool's next request on it
// would fail too ("another command is already in progress", or a closed connection).
TEST_CASE(
    "/db after a query's wait failed: the pool's connection is clean again for the next request",
    "[server][database]") {
    for (const char* mode : {"async-sleep", "blocking-in-loop"}) {
        INFO(mode);
        lab::ServerProcess server(
            LAB_BINARY, {"--mode", mode, "--database-url", database_url(), "--db-pool", "1"});
        httplib::Client client(server.host(), server.port());
        client.set_read_timeout(10, 0);
        REQUIRE(client.Get("/db?ms=1")->status == 200);  // the pool's one connection is open
        std::thread slow([&] {
            httplib::Client own(server.host(), server.port());
            own.set_read_timeout(10, 0);
            auto answer = own.Get("/db?ms=3000");
            CHECK((answer && answer->status == 500));  // its wait failed: the backend was ended
        });
        // End the backend that runs the slow query, from a connection of the test's own.
        pg_conn* admin = PQconnectdb(database_url().c_str());
        REQUIRE(PQstatus(admin) == CONNECTION_OK);
        int ended = 0;
        for (int tries = 0; tries < 100 && ended == 0; ++tries) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            PGresult* r = PQexec(
                admin,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE query LIKE '%pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()");
            if (PQresultStatus(r) == PGRES_TUPLES_OK) ended = std::atoi(PQgetvalue(r, 0, 0));
            PQclear(r);
        }
        PQfinish(admin);
        slow.join();
        REQUIRE(ended == 1);
        auto next = client.Get("/db?ms=1");  // on the same (and only) connection of the pool
        REQUIRE(next);
        INFO(next->body);
        CHECK(next->status == 200);
    }
}

// libpq brings Kerberos, LDAP and OpenSSL: a server that never asks PostgreSQL never loads them
// (lab/drivers/libpq_on_demand.cpp), and one that does, loads them with its first connection.
TEST_CASE("libpq is loaded by the servers that use PostgreSQL, and only by them",
          "[server][database]") {
    auto mapped = [](const lab::ServerProcess& server, const std::string& library) {
        std::ifstream maps("/proc/" + std::to_string(server.pid()) + "/maps");
        for (std::string line; std::getline(maps, line);)
            if (line.find(library) != std::string::npos) return true;
        return false;
    };
    lab::ServerProcess plain(LAB_BINARY, {"--mode", "async-sleep"});
    CHECK(httplib::Client(plain.host(), plain.port()).Get("/delay?ms=1")->status == 200);
    CHECK_FALSE(mapped(plain, "/libpq.so"));
    CHECK_FALSE(mapped(plain, "/libssl.so"));
    CHECK_FALSE(mapped(plain, "/libcrypto.so"));

    lab::ServerProcess with_database(LAB_BINARY,
                                     {"--mode", "async-sleep", "--database-url", database_url()});
    CHECK(httplib::Client(with_database.host(), with_database.port()).Get("/db?ms=1")->status ==
          200);
    CHECK(mapped(with_database, "/libpq.so"));
}

// The documents' three requests (000 §3: /users/1, /users/2, /products/1), each `db.get` behind a
// query that takes PostgreSQL 100 ms, sent together to the real FastAPI twins with SQLAlchemy
// over this cluster's unix socket (asyncpg's URL and psycopg2's). The server's own stamps say what
// ran together: through AsyncSession the three are in the database at once; through the sync
// Session inside `async def` the loop runs them one after another, 3·d at least.
TEST_CASE(
    "000's /users/{id} and /products/{id} through SQLAlchemy: AsyncSession answers them together, "
    "a Session in async def in turn",
    "[server][database]") {
    if (std::system("/usr/bin/python3 -c 'import fastapi, uvicorn, sqlalchemy, greenlet, asyncpg, "
                    "psycopg2' 2>/dev/null") != 0) {
        WARN(
            "python3-fastapi, -uvicorn, -sqlalchemy, -greenlet, -asyncpg or -psycopg2 is missing: "
            "skipped");
        return;
    }
    for (const char* variant : {"sqlalchemy_awaiting", "sqlalchemy_blocking"}) {
        INFO(variant);
        lab::ServerProcess server({lab::python, lab::reference_script("serve.py"), "--variant",
                                   variant, "--database-url", database_url()});
        lab::LoadSpec spec;
        spec.host = server.host();
        spec.port = server.port();
        for (const char* target : {"/users/1?ms=100", "/users/2?ms=100", "/products/1?ms=100"}) {
            lab::WeightedTarget one;
            one.target = target;
            spec.mix.push_back(one);
        }
        spec.requests = spec.concurrency = 3;
        lab::run_concurrent_batch(spec);  // warm-up: SQLAlchemy's pool opens its connections
        const lab::Batch batch = lab::run_concurrent_batch(spec);
        REQUIRE(batch.requests.size() == 3);
        std::int64_t first_start = batch.requests[0].server_start_us, last_end = 0,
                     latest_start = 0, earliest_end = batch.requests[0].server_end_us;
        for (const lab::RequestRecord& r : batch.requests) {
            CHECK(r.status == 200);
            REQUIRE(r.has_server_stamps());
            CHECK(r.server_end_us - r.server_start_us >=
                  100'000);  // PostgreSQL slept 100 ms for each
            first_start = std::min(first_start, r.server_start_us);
            last_end = std::max(last_end, r.server_end_us);
            latest_start = std::max(latest_start, r.server_start_us);
            earliest_end = std::min(earliest_end, r.server_end_us);
        }
        if (std::string(variant) == "sqlalchemy_awaiting")
            CHECK(latest_start < earliest_end);  // all three in the database at once
        else CHECK(last_end - first_start >= 300'000);  // one after another on the loop's thread
    }
}
