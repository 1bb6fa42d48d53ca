// Stopping the lab at any moment leaves nothing running: SIGINT, SIGTERM and SIGKILL, for
// `lab run` (which starts servers) and `lab serve --mode multi-process` (which starts workers).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <httplib.h>

#include "harness/load_generator.hpp"
#include "harness/statistics.hpp"
#include "lab/run/server_process.hpp"
#include "support.hpp"

namespace {

// Starts `lab ARGS`, waits until it has `children` processes below it, signals it, and
// returns the processes that were below it and are still alive `grace` later.
std::set<pid_t> leftovers_after(int signal, std::vector<std::string> args, std::size_t children,
                                std::chrono::seconds grace = std::chrono::seconds(5)) {
    pid_t lab = test::spawn_lab(std::move(args));
    std::set<pid_t> below;
    bool started =
        test::eventually([&] { return (below = test::descendants(lab)).size() >= children; });
    INFO("processes below lab: " << below.size());
    REQUIRE(started);
    kill(lab, signal);  // a process this test started
    int status = 0;
    waitpid(lab, &status, 0);
    return test::survivors(below, grace);
}

}  // namespace

TEST_CASE("stopping lab run by any signal stops its servers", "[e2e][untimed]") {
    auto signal = GENERATE(SIGINT, SIGTERM, SIGKILL);
    INFO("signal " << signal);
    test::ScratchDir out;
    auto left = leftovers_after(
        signal, {"run", "multi-process", "--delay", "300", "--quiet", "--out", out.path.string()},
        5);
    INFO("still running: " << test::described(left));
    CHECK(left.empty());
    // Killed before it finished: no results folder, whole or half.
    bool any_run = std::filesystem::exists(out.path / "multi-process") &&
                   !std::filesystem::is_empty(out.path / "multi-process");
    CHECK_FALSE(any_run);
}

TEST_CASE("stopping lab run by any signal removes the PostgreSQL and Redis it started", "[e2e]") {
    auto signal = GENERATE(SIGINT, SIGTERM, SIGKILL);
    INFO("signal " << signal);
    auto private_folders = [] {
        std::set<std::string> found;
        for (const auto& entry :
             std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
            if (entry.path().filename().string().rfind("lab-pg-", 0) == 0 ||
                entry.path().filename().string().rfind("lab-redis-", 0) == 0)
                found.insert(entry.path().string());
        return found;
    };
    auto before = private_folders();
    test::ScratchDir out;
    // db-and-cache needs both; below lab: two keepers, postgres and its helpers, redis-server, a
    // server. A keeper gives its service 5 s to stop politely before it kills it (keeper.cpp), so
    // all is gone within those 5 s and the keeper's own clean-up: 10 s. (A 5 s wait found one
    // still running once on CI, its folders gone by the check after it; the check names it now.)
    auto left =
        leftovers_after(signal, {"run", "db-and-cache", "--quiet", "--out", out.path.string()}, 10,
                        std::chrono::seconds(10));
    INFO("still running: " << test::described(left));
    CHECK(left.empty());
    CHECK(test::eventually([&] { return private_folders() == before; }, std::chrono::seconds(10)));
}

TEST_CASE("stopping lab serve by any signal stops its workers", "[e2e][untimed]") {
    auto signal = GENERATE(SIGINT, SIGTERM, SIGKILL);
    INFO("signal " << signal);
    auto left = leftovers_after(signal, {"serve", "--mode", "multi-process", "--workers", "3"}, 3);
    INFO("still running: " << test::described(left));
    CHECK(left.empty());
}

TEST_CASE("a worker killed mid-run: its requests fail with a reason, the rest are answered",
          "[server]") {
    lab::ServerProcess server(
        LAB_BINARY, {"--mode", "multi-process", "--workers", "2", "--balance", "reuseport"});
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.target = "/delay?ms=400";
    spec.requests = spec.concurrency = 8;
    lab::Batch batch;
    std::thread load([&] { batch = lab::run_concurrent_batch(spec); });
    std::set<pid_t> workers;
    REQUIRE(
        test::eventually([&] { return (workers = test::descendants(server.pid())).size() == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the requests are in service
    kill(*workers.begin(), SIGKILL);  // a worker this test's server started
    load.join();
    auto stats = lab::summarize(batch);
    CHECK(stats.ok + stats.failed == 8);  // every request accounted for
    CHECK(stats.failed >= 1);
    for (const auto& r : batch.requests)
        if (!r.ok()) CHECK(r.error == lab::ErrorKind::read);  // the connection died under it
    httplib::Client client(server.host(), server.port());
    CHECK(test::eventually([&] {  // the supervisor has started a replacement
        auto res = client.Get("/health");
        return res && res->status == 200 && test::descendants(server.pid()).size() == 2;
    }));
}

// `lab run multi-process` paused about 3.5 s after two of its three rows, in silence: the stop's
// SIGTERM killed a worker, the supervisor started a new one before it saw the signal itself, and
// that worker, still holding the supervisor's handler that only takes note, lived on until the
// supervisor's 3 s alarm. A stop is now a stop: no replacement, and a worker forked meanwhile dies
// of it. Each balance, stopped a few times: each stop takes well under a second (it took 3 s in
// about two stops of three before).
TEST_CASE(
    "a multi-process server stops at once, whatever its balance, without replacing the workers it "
    "stops",
    "[server]") {
    auto balance = GENERATE("shared", "reuseport", "round-robin");
    INFO("balance " << balance);
    for (int k = 0; k < 4; ++k) {
        lab::ServerProcess server(
            LAB_BINARY, {"--mode", "multi-process", "--workers", "4", "--balance", balance});
        REQUIRE(test::eventually([&] { return test::descendants(server.pid()).size() == 4; }));
        auto began = std::chrono::steady_clock::now();
        server.stop();
        double took_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        CHECK(took_s < 1.0);
        CHECK(server.log().find("started worker") == std::string::npos);
    }
}
