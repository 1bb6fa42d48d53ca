// The harness and `lab load` against servers that answer oddly, URLs that are wrong, loads that
// make no sense, and servers that stop answering altogether.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <csignal>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/load_generator.hpp"
#include "harness/open_loop.hpp"
#include "lab/run/server_process.hpp"
#include "lab/target_url.hpp"
#include "canned_server.hpp"
#include "support.hpp"

namespace {

using test::CannedServer;

const std::string continue_then_ok =
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

}  // namespace

TEST_CASE("lab load's URL: ports are checked, [::1] and localhost are loopback", "[unit]") {
    for (std::string bad :
         {"http://127.0.0.1:70000/health", "http://127.0.0.1:-1/", "http://127.0.0.1:8000abc/",
          "http://127.0.0.1:/", "http://127.0.0.1:0/", "http://[::1/", "https://127.0.0.1/",
          "http://example.org/"}) {
        INFO(bad);
        CHECK_FALSE(lab::parse_target_url(bad).error.empty());
    }
    auto v6 = lab::parse_target_url("http://[::1]:8000/delay?ms=5");
    CHECK(v6.error.empty());
    CHECK(v6.host == "::1");
    CHECK(v6.port == 8000);
    CHECK(v6.path == "/delay?ms=5");
    CHECK(v6.loopback);
    auto local = lab::parse_target_url("http://localhost:8080");
    CHECK(local.host == "127.0.0.1");
    CHECK(local.path == "/");
    CHECK(local.loopback);
    CHECK(lab::parse_target_url("http://127.3.2.1/").loopback);
    CHECK(lab::parse_target_url("http://127.0.0.1/").port == 80);
    CHECK_FALSE(lab::parse_target_url("http://10.0.0.1:80/").loopback);
    CHECK(
        lab::parse_target_url("http://10.0.0.1:80/").error.empty());  // allowed with --allow-remote
    for (const char* injected : {"http://127.0.0.1:80/a b", "http://127.0.0.1:80/a\r\nX-Evil: 1",
                                 "http://127.0.0.1:80/\t"})
        CHECK_FALSE(lab::parse_target_url(injected)
                        .error.empty());  // the path goes into the request line as it is
}

TEST_CASE("lab load refuses bad ports and loads that would send nothing or too much",
          "[e2e][untimed]") {
    for (std::string args :
         {"http://127.0.0.1:70000/health", "http://127.0.0.1:-1/health",
          "http://127.0.0.1:8000abc/health", "http://127.0.0.1:1/health --rate 0.5 -z 100ms",
          "http://127.0.0.1:1/health --rate 100000 -z 600s"}) {
        INFO(args);
        auto started = std::chrono::steady_clock::now();
        auto outcome = test::run_lab("load " + args + " --quiet --out /nonexistent-lab-results");
        CHECK(outcome.exit_code == 2);
        CHECK(std::chrono::steady_clock::now() - started <
              std::chrono::seconds(5));  // refused, not tried
    }
    CHECK(lab::open_loop_problem(0.5, std::chrono::milliseconds(100)));
    CHECK(lab::open_loop_problem(100'000, std::chrono::milliseconds(600'000)));
    CHECK(lab::open_loop_problem(std::nan(""), std::chrono::milliseconds(1000)));
    CHECK_FALSE(lab::open_loop_problem(200, std::chrono::milliseconds(5000)));
}

TEST_CASE("a 1xx answer is interim: the final answer after it is the request's", "[server]") {
    CannedServer server(continue_then_ok);
    lab::LoadSpec spec;
    spec.port = server.port();
    spec.target = "/anything";
    spec.requests = 6;
    spec.concurrency = 2;
    auto batch = lab::run_concurrent_batch(spec, 1);
    for (const auto& r : batch.requests) {
        CHECK(r.status == 200);
        CHECK(r.bytes == 2);
        CHECK(r.ok());
    }
    lab::OpenLoopSpec open;  // no stall
    open.base = spec;
    open.rate = 100;
    open.duration = std::chrono::milliseconds(100);
    auto result = lab::run_open_loop(open, 1);
    REQUIRE(result.batch.requests.size() == 10);
    for (const auto& r : result.batch.requests) {
        CHECK(r.status == 200);
        CHECK(r.first_byte_us >= r.send_us);  // the open loop records it too (one routine for both)
        CHECK(r.first_byte_us <= r.end_us);
    }
}

TEST_CASE("a batch against a server that stopped answering ends at its deadline, recorded",
          "[server]") {
    CannedServer silent("");  // reads requests, never answers
    lab::LoadSpec spec;
    spec.port = silent.port();
    spec.requests = 4;
    spec.concurrency = 2;
    spec.deadline = std::chrono::milliseconds(500);
    auto started = std::chrono::steady_clock::now();
    auto batch = lab::run_concurrent_batch(spec, 1);
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= std::chrono::milliseconds(500));
    CHECK(took < std::chrono::seconds(3));  // not the 30 s per-request timeout
    CHECK(batch.cut_off);
    REQUIRE(batch.requests.size() == 4);  // none dropped
    for (const auto& r : batch.requests) CHECK(r.error == lab::ErrorKind::timeout);

    started = std::chrono::steady_clock::now();  // the sequential client keeps the deadline too
    auto one_by_one = lab::run_sequential_batch(spec, 1);
    took = std::chrono::steady_clock::now() - started;
    CHECK(took < std::chrono::seconds(3));  // not 4 × 30 s
    CHECK(one_by_one.cut_off);
    REQUIRE(one_by_one.requests.size() == 4);
    for (const auto& r : one_by_one.requests) CHECK(r.error == lab::ErrorKind::timeout);
}

TEST_CASE("lab run says early that a stopped server will not answer", "[e2e][untimed]") {
    test::ScratchDir out;
    pid_t lab = test::spawn_lab(
        {"run", "blocking-async", "--repeat", "1", "--quiet", "--out", out.path.string()});
    std::set<pid_t> below;
    REQUIRE(test::eventually([&] { return !(below = test::descendants(lab)).empty(); }));
    // Stopped only once lab has read its port and connected (its warm-up): stopped sooner, the
    // server would never say it is ready, which is another error (under ASan that takes > 300 ms).
    REQUIRE(test::eventually(
        [&] {
            for (pid_t server : below = test::descendants(lab))
                if (test::has_client(server)) return true;
            return false;
        },
        std::chrono::seconds(20)));
    for (pid_t server : below) kill(server, SIGSTOP);  // processes this test's lab started
    auto started = std::chrono::steady_clock::now();
    int status = 0;
    waitpid(lab, &status, 0);
    auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(took < 30);  // the deadline (5× the model's 1 s + 10 s), not 30 s per request and batch
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 4);  // no request answered: the lab could not run the lesson
    for (pid_t server : below) CHECK(test::eventually([&] { return !test::alive(server); }));
    std::string summary;
    for (const auto& run : std::filesystem::recursive_directory_iterator(out.path))
        if (run.path().filename() == "summary.json") summary = test::read_file(run.path());
    CHECK(summary.find("no answer within") != std::string::npos);
    CHECK(summary.find("stopped or overloaded") != std::string::npos);
}

// Each request's time limit (lab load --timeout) is kept by one lazy timer per connection
// (lab/timed_socket.hpp): a request past it is cut off at it, and on a connection that carries
// request after request, each one's limit counts from its own start.
TEST_CASE(
    "a request past its timeout is recorded as one, at its timeout; the next ones get their own",
    "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.target = "/delay?ms=2000";
    spec.requests = spec.concurrency = 1;
    spec.timeout = std::chrono::milliseconds(300);
    auto late = lab::run_concurrent_batch(spec, 1);
    REQUIRE(late.requests.size() == 1);
    const lab::RequestRecord& cut = late.requests[0];
    CHECK(cut.error == lab::ErrorKind::timeout);
    CHECK(cut.end_us - cut.send_us >= 300'000);  // not before its limit
    CHECK(cut.end_us - cut.send_us < 1'500'000);  // nor at the answer, 2 s later

    spec.target = "/delay?ms=100";
    spec.requests = 6;  // one connection, one request after another: 0.6 s in all, twice the limit
    auto in_turn = lab::run_concurrent_batch(spec, 2);
    REQUIRE(in_turn.requests.size() == 6);
    for (const auto& r : in_turn.requests) CHECK(r.ok());
    CHECK(in_turn.requests.back().end_us >= 600'000);
}
