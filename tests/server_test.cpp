// Real servers on loopback, started as `lab serve` child processes, with real requests.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <csignal>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"
#include "harness/open_loop.hpp"
#include "harness/raw_client.hpp"
#include "harness/statistics.hpp"
#include "lab/modes/waits.hpp"
#include "lab/run/server_process.hpp"
#include "lab/run_key.hpp"
#include "support.hpp"

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
    CHECK(stats.makespan_s >= 0.5);  // ten 50 ms sleeps on one thread, one after another
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
    auto mode = GENERATE(as<std::string>{}, "blocking-in-loop", "async-sleep", "thread-pool",
                         "multi-process");
    INFO(mode);
    lab::ServerProcess server(LAB_BINARY, {"--mode", mode, "--workers", "2", "--threads", "4"});
    struct Probe {
        std::string bytes;
        int status;
    };
    std::string huge_header =
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n";
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
        lab::ServerProcess second(
            LAB_BINARY, {"--mode", "async-sleep", "--port", std::to_string(first.port())});
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

TEST_CASE("thread-pool: T=4 serves 8 × 50 ms in two waves, never more than 4 at once", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "thread-pool", "--threads", "4"});
    auto stats = lab::summarize(lab::run_concurrent_batch(delay_load(server, 8, 50)));
    CHECK(stats.ok == 8);
    CHECK(stats.makespan_s >= 0.1);  // two waves of 50 ms cannot take less
    CHECK(stats.makespan_s < 0.1 * 1.5);  // and the loop itself never blocked
    CHECK(stats.max_in_service <= 4);
    CHECK(stats.max_in_service == 4);
}

TEST_CASE("multi-process with reuseport answers from more than one worker", "[server]") {
    lab::ServerProcess server(
        LAB_BINARY, {"--mode", "multi-process", "--workers", "4", "--balance", "reuseport"});
    auto stats = lab::summarize(lab::run_concurrent_batch(delay_load(server, 10, 20)));
    CHECK(stats.ok == 10);
    CHECK(stats.per_worker.size() > 1);
    CHECK(stats.max_in_service > 1);
}

TEST_CASE("multi-process round-robin: the supervisor deals a burst evenly and meets ceil(N/W)·d",
          "[server]") {
    lab::ServerProcess server(
        LAB_BINARY, {"--mode", "multi-process", "--workers", "4", "--balance", "round-robin"});
    lab::run_concurrent_batch(delay_load(server, 10, 100));  // warm-up
    auto stats = lab::summarize(lab::run_concurrent_batch(delay_load(server, 10, 100)));
    CHECK(stats.ok == 10);
    CHECK(stats.per_worker.size() == 4);
    std::vector<int> counts;
    for (auto [pid, n] : stats.per_worker) counts.push_back(n);
    std::sort(counts.begin(), counts.end());
    CHECK(counts == std::vector<int>{2, 2, 3, 3});  // dealt in turn: no worker above ceil(10/4)
    CHECK(stats.makespan_s >= 0.3);  // three waves of 100 ms cannot take less
    CHECK(stats.makespan_s < 0.3 * 1.5);
}

TEST_CASE(
    "multi-process round-robin: a killed worker is replaced and the dealer deals to the new one",
    "[server]") {
    lab::ServerProcess server(
        LAB_BINARY, {"--mode", "multi-process", "--workers", "2", "--balance", "round-robin"});
    auto before = lab::summarize(lab::run_concurrent_batch(delay_load(server, 4, 10)));
    REQUIRE(before.per_worker.size() == 2);
    REQUIRE(kill(static_cast<pid_t>(before.per_worker.begin()->first), SIGKILL) ==
            0);  // a worker this test started
    CHECK(test::eventually([&] { return test::descendants(server.pid()).size() == 2; }));
    CHECK(test::eventually([&] {
        auto after = lab::summarize(lab::run_concurrent_batch(delay_load(server, 4, 10)));
        return after.ok == 4 && after.per_worker.size() == 2 &&
               !after.per_worker.count(before.per_worker.begin()->first);
    }));
}

TEST_CASE("multi-process replaces a killed worker and keeps answering", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "multi-process", "--workers", "1"});
    httplib::Client client(server.host(), server.port());
    auto worker_of = [&]() -> long {
        auto res = client.Get("/");
        if (!res || res->status != 200) return -1;
        auto at = res->body.find("\"worker_id\":");
        return at == std::string::npos ? -1 : std::stol(res->body.substr(at + 12));
    };
    long first = worker_of();
    REQUIRE(first > 0);
    REQUIRE(kill(static_cast<pid_t>(first), SIGKILL) == 0);  // a process this test started
    long second = -1;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while ((second = worker_of()) <= 0 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(second > 0);
    CHECK(second != first);
}

TEST_CASE("the sequential client takes at least N·d even against an awaiting server", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    auto batch = lab::run_sequential_batch(delay_load(server, 4, 50));
    auto stats = lab::summarize(batch);
    CHECK(stats.ok == 4);
    CHECK(stats.makespan_s >= 0.2);
    CHECK(stats.max_in_service == 1);
}

TEST_CASE("a probe sees the blocked loop: /health waits behind blocking requests only",
          "[server]") {
    auto health_wait_ms = [](const std::string& mode) {
        lab::ServerProcess server(LAB_BINARY, {"--mode", mode});
        auto spec = delay_load(server, 5, 60);
        spec.probe_target = "/health";
        spec.probe_every = std::chrono::milliseconds(20);
        auto batch = lab::run_concurrent_batch(spec);
        REQUIRE(!batch.probes.empty());
        std::vector<double> ms;
        for (const auto& p : batch.probes)
            ms.push_back(static_cast<double>(p.latency_us()) / 1000.0);
        return lab::percentile(ms, 100);
    };
    CHECK(health_wait_ms("blocking-in-loop") >= 60);  // at least one 60 ms sleep ahead of it
    CHECK(health_wait_ms("async-sleep") < 30);
}

TEST_CASE("open loop: a frozen loop shows in latency from due, not in latency from send",
          "[server]") {
    auto run = [](const std::string& mode) {
        lab::ServerProcess server(LAB_BINARY, {"--mode", mode});
        lab::OpenLoopSpec spec;
        spec.base = delay_load(server, 1, 1);
        spec.base.concurrency = 2;
        spec.rate = 100;
        spec.duration = std::chrono::milliseconds(1500);
        spec.stall_target = "/delay?ms=500";
        spec.stall_at = std::chrono::milliseconds(500);
        return lab::run_open_loop(spec);
    };
    auto frozen = run("blocking-in-loop");
    CHECK(frozen.batch.requests.size() == 150);  // every due request is recorded
    REQUIRE(frozen.batch.probes.size() == 1);
    CHECK(frozen.corrected.percentile(99) >= 300'000);  // those due in the freeze waited for it
    CHECK(frozen.uncorrected.percentile(50) < 50'000);  // yet most saw a fast server once sent
    CHECK(frozen.late_for_connection >= 20);
    auto awaiting = run("async-sleep");
    CHECK(awaiting.corrected.percentile(99) < 100'000);  // nothing froze
}

TEST_CASE("a background task is answered 202 before its work, which the server then does",
          "[server]") {
    auto mode = GENERATE(as<std::string>{}, "blocking-in-loop", "async-sleep", "thread-pool");
    INFO(mode);
    lab::ServerProcess server(LAB_BINARY, {"--mode", mode});
    httplib::Client client(server.host(), server.port());
    auto started = std::chrono::steady_clock::now();
    auto res = client.Post("/background/delay?ms=300");
    auto answered = std::chrono::steady_clock::now() - started;
    REQUIRE(res);
    CHECK(res->status == 202);
    CHECK(answered <
          std::chrono::milliseconds(150));  // the answer does not wait for the task's 300 ms
    // The task runs after its answer: done after 300 ms, never before.
    auto done = [&] {
        return nlohmann::json::parse(
                   client.Get("/stats", {{lab::run_key_header, lab::own_run_key()}})
                       ->body)["background_done"]
            .get<int>();
    };
    if (mode != "blocking-in-loop")
        CHECK(done() == 0);  // (a blocked loop answers /stats only after the task)
    CHECK(test::eventually([&] { return done() == 1; }));
    CHECK(std::chrono::steady_clock::now() - started >=
          std::chrono::milliseconds(300));  // not sooner
    CHECK(client.Get("/background/delay")->status == 405);
}

TEST_CASE(
    "the bystander goes on probe_after past the last answer, and sees what background work does",
    "[server]") {
    auto health_wait_ms = [](const std::string& mode) {
        lab::ServerProcess server(LAB_BINARY, {"--mode", mode});
        lab::LoadSpec spec = delay_load(server, 4, 0);
        spec.method = "POST";
        spec.target = "/background/cpu?ms=100";
        spec.probe_target = "/health";
        spec.probe_every = std::chrono::milliseconds(10);
        spec.probe_after = std::chrono::milliseconds(600);
        auto batch = lab::run_concurrent_batch(spec);
        REQUIRE(!batch.probes.empty());
        std::int64_t last_answer = 0, last_probe = 0;
        for (const auto& r : batch.requests) last_answer = std::max(last_answer, r.end_us);
        for (const auto& p : batch.probes) last_probe = std::max(last_probe, p.send_us);
        CHECK(last_probe >= last_answer + 400'000);  // probing went on well past the answers
        std::vector<double> ms;
        for (const auto& p : batch.probes)
            ms.push_back(static_cast<double>(p.latency_us()) / 1000.0);
        return lab::percentile(ms, 100);
    };
    CHECK(health_wait_ms("async-sleep") >=
          90);  // the tasks compute on the loop: at least one ahead of it
    CHECK(health_wait_ms("thread-pool") < 60);  // on the pool (no GIL): the loop stays free
}

// A blocked loop cannot see a request arrive, only read it late; the kernel stamps its bytes on
// arrival (read_request, lab/server/http_server.cpp), so the live channel tells how long they
// waited in the socket.
TEST_CASE("lab serve --live tells when a request's bytes arrived, while a blocked loop slept",
          "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "blocking-in-loop", "--live"});
    std::smatch m;
    std::string log = server.log();
    REQUIRE(std::regex_search(log, m, std::regex("live view: http://127\\.0\\.0\\.1:([0-9]+)/")));
    std::thread slow([&] { httplib::Client(server.host(), server.port()).Get("/delay?ms=400"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(httplib::Client(server.host(), server.port()).Get("/health"));
    slow.join();
    httplib::Client page("127.0.0.1", static_cast<std::uint16_t>(std::stoi(m[1])));
    page.set_read_timeout(std::chrono::seconds(5));
    std::string events;
    page.Get("/events", [&](const char* data, std::size_t n) {
        events.append(data, n);
        return events.find("\"answered\"", events.find("/health")) == std::string::npos;
    });
    INFO(events);
    std::optional<double> arrived, read;
    for (std::size_t at = 0; (at = events.find("data: ", at)) != std::string::npos; at += 6) {
        auto e = nlohmann::json::parse(events.substr(at + 6, events.find('\n', at) - at - 6));
        if (e.value("what", "") != "/health") continue;
        if (e["mark"] == "arrived") arrived = e["t"].get<double>();
        if (e["mark"] == "read") read = e["t"].get<double>();
    }
    REQUIRE(arrived);
    REQUIRE(read);
    // Sent at least 100 ms into a 400 ms sleep: at most 300 ms of it left to wait; a floor that
    // allows the test's own 100 ms to run long by up to 150 ms.
    CHECK(*read - *arrived >= 0.15);
    CHECK(*read - *arrived <= 0.32);
}

// `lab serve --live`: the page's events come from the server's own marks, as it reads, serves
// and answers each request, named by the client's port; a page opened later replays them.
TEST_CASE("lab serve --live streams each request's marks to its page", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "blocking-in-loop", "--live"});
    std::smatch m;
    std::string log = server.log();
    REQUIRE(std::regex_search(log, m, std::regex("live view: http://127\\.0\\.0\\.1:([0-9]+)/")));
    const int live_port = std::stoi(m[1]);
    httplib::Client client(server.host(), server.port());
    REQUIRE(client.Get("/delay?ms=50"));
    // A target that is not UTF-8 (Beast lets such bytes through) reaches the page as U+FFFD: the
    // live view and the server go on.
    lab::send_raw(server.host(), server.port(),
                  "GET /delay?ms=1&x=\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(client.Get("/health"));

    httplib::Client page("127.0.0.1", live_port);
    auto html = page.Get("/");
    REQUIRE(html);
    CHECK(html->status == 200);
    CHECK(html->body.find("new EventSource('/events')") != std::string::npos);
    std::string events;
    page.set_read_timeout(std::chrono::seconds(5));
    page.Get("/events", [&](const char* data, std::size_t n) {
        events.append(data, n);
        return events.find("\"answered\"", events.find("/health")) ==
               std::string::npos;  // until /health's answer
    });
    INFO(events);
    for (const char* mark :
         {"\"mark\":\"read\"", "\"mark\":\"start\"", "\"mark\":\"end\"", "\"mark\":\"answered\""})
        CHECK(events.find(mark) != std::string::npos);
    CHECK(events.find("/delay?ms=50") != std::string::npos);
    CHECK(events.find("x=\xEF\xBF\xBD") != std::string::npos);  // U+FFFD, in UTF-8
    CHECK(page.Get("/nothing-here")->status == 404);
}

namespace {

std::size_t times_in(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// What one pipelined burst got from a server: the answer's bytes, each timing stamp left out
// (and so each length), and the works in the order its handlers began them.
struct BurstServed {
    std::string answers;
    std::vector<std::string> order;
};

// Serves one burst in this process, as `lab serve --mode blocking-in-loop --explain` would (the
// kernel's arrival stamps asked for), each request told to the watch `watch` makes.
BurstServed serve_burst(lab::WatchMaker watch) {
    BurstServed got;
    auto noted = [&got](std::string kind,
                        asio::awaitable<lab::ServiceRecord> (*work)(lab::Micros)) {
        return [&got, kind, work](lab::Micros amount) {
            got.order.push_back(kind + " " + std::to_string(amount.count()));
            return work(amount);
        };
    };
    asio::io_context loop{1};
    lab::ServeOptions options;
    options.explain = true;
    tcp::acceptor acceptor = lab::open_listener(loop, options);
    lab::Handlers handlers;  // (the ones the burst asks for)
    handlers.wait = noted("wait", lab::wait_blocking);
    handlers.compute = noted("compute", lab::compute_here);
    lab::serve(acceptor, handlers, options, watch);
    std::thread server([&loop] { loop.run(); });
    std::string burst;
    for (const char* line :
         {"GET /delay?ms=3", "POST /background/delay?ms=5", "GET /nowhere", "GET /cpu?ms=2",
          "POST /background/cpu?ms=4", "GET /delay?ms=1", "GET /"})
        burst += std::string(line) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    burst += "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    asio::io_context client_context;
    tcp::socket client(client_context);
    client.connect(acceptor.local_endpoint());
    asio::write(client, asio::buffer(burst));
    beast::error_code eof;
    asio::read(client, asio::dynamic_buffer(got.answers), eof);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the tasks' 9 ms of work
    loop.stop();
    server.join();
    static const std::regex stamp(
        R"rx(("(?:start_time|end_time|server_start_us|server_end_us|thread_id|cpu_ms_used)":)("[^"]*"|[0-9.e+-]+))rx");
    static const std::regex length("Content-Length: [0-9]+");
    got.answers = std::regex_replace(std::regex_replace(got.answers, stamp, "$1_"), length, "");
    return got;
}

}  // namespace

// The watch only looks (lab/server/request_watch.hpp): the instruments' own and one that notes
// nothing leave the same bytes on the wire and the same order of service.
TEST_CASE("a pipelined burst is answered and served alike with the real watch and a null one",
          "[server]") {
    BurstServed noted = serve_burst(lab::watch_request);
    BurstServed unnoted = serve_burst([](int) { return std::make_unique<lab::RequestWatch>(); });
    INFO(Catch::rangeToString(noted.order));
    CHECK(noted.order.size() == 5);  // three works answered after them, two after their 202
    CHECK(times_in(noted.answers, "HTTP/1.1 202") == 2);
    CHECK(times_in(noted.answers, "HTTP/1.1 ") == 8);
    CHECK(noted.answers == unnoted.answers);
    CHECK(noted.order == unnoted.order);
}

// Issue 69: `lab serve --slow-ms` and `--live-port`, each by name. A handler that holds the loop
// 60 ms is logged past --slow-ms 30 and not at the default 100; the live view listens on the
// port given.
TEST_CASE("lab serve --slow-ms logs a handler that held the loop that long; --live-port",
          "[server]") {
    for (const auto& [slow, logged] : {std::pair{"30", true}, {"100", false}}) {
        lab::ServerProcess server(LAB_BINARY, {"--mode", "blocking-in-loop", "--slow-ms", slow});
        httplib::Client client(server.host(), server.port());
        REQUIRE(client.Get("/delay?ms=60"));
        REQUIRE(client.Get("/delay?ms=1"));  // (the loop's monitor says it at its next turn)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        INFO("--slow-ms " << slow << ": " << server.log());
        CHECK((server.log().find("loop blocked for") != std::string::npos) == logged);
    }
    int port = 0;  // a free port: one bound and let go
    {
        asio::io_context io;
        asio::ip::tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
        port = taken.local_endpoint().port();
    }
    lab::ServerProcess live(
        LAB_BINARY, {"--mode", "async-sleep", "--live", "--live-port", std::to_string(port)});
    httplib::Client page("127.0.0.1", port);
    auto answer = page.Get("/");
    REQUIRE(answer);
    CHECK(answer->status == 200);
    CHECK(answer->body.find("Concurrency Lab: live") != std::string::npos);
}
