// /fetch (a downstream HTTP service) and /cache (a real Redis) on the loop modes: the blocking
// client holds the loop, the awaiting one does not. Physical bounds on ten calls of 100 ms.
#include <catch2/catch.hpp>

#include <fstream>

#include <httplib.h>

#include "harness/load_generator.hpp"
#include "harness/statistics.hpp"
#include "lab/run/server_process.hpp"
#include "lab/services/private_redis.hpp"
#include "support.hpp"

namespace {

lab::BatchStats ten_calls(std::vector<std::string> args, const std::string& target) {
    lab::ServerProcess server(LAB_BINARY, args);
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.target = target;
    spec.requests = spec.concurrency = 10;
    lab::run_concurrent_batch(spec);  // warm-up
    return lab::summarize(lab::run_concurrent_batch(spec));
}

const std::string& redis_url() {
    static lab::PrivateRedis redis;  // stopped (and its folder deleted) when the tests end
    return redis.url();
}

}  // namespace

TEST_CASE("/fetch: the blocking client makes one call at a time, the awaiting one all at once",
          "[server][downstream]") {
    lab::ServerProcess downstream(LAB_BINARY, {"--mode", "async-sleep"});
    std::string url = "http://" + downstream.host() + ":" + std::to_string(downstream.port());

    auto blocking =
        ten_calls({"--mode", "blocking-in-loop", "--downstream-url", url}, "/fetch?ms=100");
    CHECK(blocking.ok == 10);
    CHECK(blocking.makespan_s >= 1.0);  // ten 100 ms answers, one after another
    CHECK(blocking.makespan_s < 1.5);
    CHECK(blocking.max_in_service == 1);

    auto awaiting = ten_calls({"--mode", "async-sleep", "--downstream-url", url}, "/fetch?ms=100");
    CHECK(awaiting.ok == 10);
    CHECK(awaiting.makespan_s >= 0.1);
    CHECK(awaiting.makespan_s < 0.5);
    CHECK(awaiting.max_in_service == 10);

    auto pooled = ten_calls({"--mode", "thread-pool", "--downstream-url", url}, "/fetch?ms=100");
    CHECK(pooled.ok == 10);
    CHECK(pooled.makespan_s < 0.5);
}

TEST_CASE(
    "/fetch without a downstream is a 503; one that is gone a 500, and the server keeps serving",
    "[server][downstream]") {
    lab::ServerProcess without(LAB_BINARY, {"--mode", "async-sleep"});
    httplib::Client client(without.host(), without.port());
    CHECK(client.Get("/fetch?ms=1")->status == 503);
    CHECK(client.Get("/fetch?ms=-1")->status == 400);

    lab::ServerProcess gone(LAB_BINARY,
                            {"--mode", "async-sleep", "--downstream-url", "http://127.0.0.1:1"});
    httplib::Client other(gone.host(), gone.port());
    CHECK(other.Get("/fetch?ms=1")->status == 500);
    CHECK(other.Get("/health")->status == 200);
    CHECK(test::run_lab("serve --mode async-sleep --downstream-url http://example.com:80")
              .exit_code != 0);
}

TEST_CASE("/cache: a real Redis, blocking or awaited", "[server][downstream]") {
    auto blocking =
        ten_calls({"--mode", "blocking-in-loop", "--redis-url", redis_url()}, "/cache?ms=100");
    CHECK(blocking.ok == 10);
    CHECK(blocking.makespan_s >= 1.0);  // ten BLPOPs of 100 ms, one after another
    CHECK(blocking.makespan_s < 1.5);

    auto awaiting =
        ten_calls({"--mode", "async-sleep", "--redis-url", redis_url()}, "/cache?ms=100");
    CHECK(awaiting.ok == 10);
    CHECK(awaiting.makespan_s >= 0.1);
    CHECK(awaiting.makespan_s < 0.5);

    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--redis-url", redis_url()});
    httplib::Client client(server.host(), server.port());
    auto get = client.Get("/cache");  // a plain GET: answered at once
    REQUIRE(get);
    CHECK(get->status == 200);
    CHECK(client.Get("/cache?ms=60001")->status == 400);
}

TEST_CASE("lab serve --private-redis leaves no redis-server and no folder behind when killed",
          "[server][downstream]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--private-redis"});
    std::string log = server.log();  // "lab serve: Redis of its own in /tmp/... (started in ...)"
    auto at = log.find(" in /");
    REQUIRE(at != std::string::npos);
    std::string folder = log.substr(at + 4, log.find(" (started", at) - at - 4);
    REQUIRE(std::filesystem::exists(folder));
    httplib::Client client(server.host(), server.port());
    CHECK(client.Get("/cache")->status == 200);
    kill(server.pid(), SIGKILL);
    CHECK(test::eventually([&] { return !std::filesystem::exists(folder); },
                           std::chrono::seconds(10)));
    CHECK(test::processes_naming(folder).empty());
}
