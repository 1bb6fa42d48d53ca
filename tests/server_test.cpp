// Real servers on loopback, started as `lab serve` child processes, with real requests.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "harness/load_generator.hpp"
#include "harness/raw_client.hpp"
#include "harness/statistics.hpp"
#include "lab/run/server_process.hpp"

namespace {

lab::LoadSpec delay_load(const lab::ServerProcess& server, int n, int ms) {
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.target = "/delay?ms=" + std::to_string(ms);
    spec.requests = spec.concurrency = n;
    return spec;
}

}  // namespace

TEST_CASE("blocking-in-loop: 10 × 50 ms take at least 0.5 s and never overlap", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "blocking-in-loop"});
    auto stats = lab::summarize(lab::run_concurrent_batch(delay_load(server, 10, 50)));
    CHECK(stats.ok == 10);
    CHECK(stats.makespan_s >= 0.5);       // ten 50 ms sleeps on one thread, one after another
    CHECK(stats.makespan_s < 0.5 * 1.5);  // and not much else
    CHECK(stats.max_in_service == 1);
}

TEST_CASE("async-sleep: 10 × 50 ms take well under 10·d and overlap", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    auto stats = lab::summarize(lab::run_concurrent_batch(delay_load(server, 10, 50)));
    CHECK(stats.ok == 10);
    CHECK(stats.makespan_s >= 0.05);  // nobody answers before their own wait is over
    CHECK(stats.makespan_s < 0.25);
    CHECK(stats.max_in_service > 1);
}

TEST_CASE("servers bind loopback by default and keep connections alive", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    CHECK(server.host() == "127.0.0.1");
    auto spec = delay_load(server, 4, 1);
    spec.concurrency = 1;
    auto batch = lab::run_concurrent_batch(spec);
    CHECK(batch.requests[0].connect_us >= 0);
    for (int i = 1; i < 4; ++i) CHECK(batch.requests[static_cast<std::size_t>(i)].connect_us == -1);
    for (const auto& r : batch.requests) CHECK(r.ok());
}

TEST_CASE("bad requests get their 4xx and the server keeps serving", "[server]") {
    auto mode = GENERATE(as<std::string>{}, "blocking-in-loop", "async-sleep");
    INFO(mode);
    lab::ServerProcess server(LAB_BINARY, {"--mode", mode});
    struct Probe {
        std::string bytes;
        int status;
    };
    std::string huge_header = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n";
    std::vector<Probe> probes{
        {"GET /delay?ms=abc HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /delay?ms=-5 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /delay?ms=60001 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
        {"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"PUT /delay HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405},
        {huge_header, 431},
        {"BLAH\r\n\r\n", 400},
        {"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400},
    };
    httplib::Client good(server.host(), server.port());
    for (const auto& probe : probes) {
        INFO(probe.bytes.substr(0, 60));
        auto reply = lab::send_raw(server.host(), server.port(), probe.bytes);
        CHECK(reply.status == probe.status);
        auto after = good.Get("/health");
        REQUIRE(after);
        CHECK(after->status == 200);
    }
}

TEST_CASE("a server that cannot start fails at once with its reason", "[server]") {
    lab::ServerProcess first(LAB_BINARY, {"--mode", "async-sleep"});
    auto started = std::chrono::steady_clock::now();
    try {
        lab::ServerProcess second(LAB_BINARY, {"--mode", "async-sleep", "--port", std::to_string(first.port())});
        FAIL("a second server on a taken port started");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("exited with status 1") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("requests to a stopped server are recorded as failed, not dropped", "[server]") {
    lab::LoadSpec spec;
    {
        lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
        spec = delay_load(server, 3, 1);
    }
    auto batch = lab::run_concurrent_batch(spec);
    REQUIRE(batch.requests.size() == 3);
    for (const auto& r : batch.requests) CHECK(r.error == lab::ErrorKind::connect);
}
