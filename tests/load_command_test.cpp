// `lab load` as a load tester: it sends exactly what it is told, for as long as it is told, with
// the method, headers and body it is given, and prints what hey and wrk print, within 80 columns.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <regex>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "canned_server.hpp"
#include "harness/load_generator.hpp"
#include "harness/statistics.hpp"
#include "harness/tally.hpp"
#include "lab/layout.hpp"
#include "lab/results/csv.hpp"
#include "lab/report/load_summary.hpp"
#include "lab/scenario/exercises.hpp"
#include "lab/run/server_process.hpp"
#include "lab/run_key.hpp"
#include "support.hpp"

namespace {

// The server's own count of the requests it has read (GET /stats, itself one of them).
std::int64_t received_by(const lab::ServerProcess& server) {
    httplib::Client client(server.host(), server.port());
    auto stats = client.Get("/stats", {{lab::run_key_header, lab::own_run_key()}});
    REQUIRE(stats);
    return nlohmann::json::parse(stats->body)["requests_received"].get<std::int64_t>();
}

std::string url_of(std::uint16_t port, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// The number after "Total:" in the summary, in seconds.
double total_seconds(const std::string& output) {
    std::smatch m;
    REQUIRE(std::regex_search(output, m, std::regex(R"(Total:\s+([0-9.]+) s)")));
    return std::stod(m[1]);
}

// The report.html of the one run written under `out`.
std::string report_in(const std::filesystem::path& out) {
    for (const auto& file : std::filesystem::recursive_directory_iterator(out))
        if (file.path().filename() == "report.html") return test::read_file(file.path());
    FAIL("no report.html under " << out);
    return "";
}

}  // namespace

TEST_CASE(
    "lab load -c 10 -n 1000 sends exactly 1000 requests, on one thread or two, and says what hey "
    "says in 80 columns",
    "[e2e][load][untimed]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    test::ScratchDir out;
    for (std::string threads : {"1", "2"}) {
        INFO("threads " << threads);
        std::int64_t before = received_by(server);
        auto o = test::run_lab("load " + url_of(server.port(), "/health") + " -c 10 -n 1000 -t " +
                               threads + " --quiet --out " + out.path.string());
        CHECK(o.exit_code == 0);
        CHECK(received_by(server) - before ==
              1000 + 1);  // no warm-up, no repeat: 1000, and our own /stats
        CHECK(test::longest_line(o.output) <= 80);
        for (const char* part :
             {"Requests/sec:", "p50 ", "p90 ", "p99 ", "p99.9 ", "max ", "Latency histogram",
              "[200] 1000", "Errors:         none", "Transfer/sec:"})
            CHECK(o.output.find(part) != std::string::npos);
        for (const char* noise : {"Source", "model", "document", "warm-up"})
            CHECK(o.output.find(noise) == std::string::npos);
    }
}

TEST_CASE("lab load -z 2s sends for 2 s, however many requests that is", "[e2e][load]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    test::ScratchDir out;
    auto started = std::chrono::steady_clock::now();
    auto o = test::run_lab("load " + url_of(server.port(), "/delay?ms=5") +
                           " -c 4 -z 2s --quiet --out " + out.path.string());
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(o.exit_code == 0);
    double total = total_seconds(o.output);
    CHECK(total <= 2.0);  // answers after the 2 s are not counted
    CHECK(total >= 1.9);  // ±5 %: the last counted answers come within a few ms of the end
    CHECK(wall >= 2.0);
    CHECK(wall < 2.0 * 1.05 + 2.0);  // start-up and writing the results folder besides
    // 4 connections, each at most one 5 ms request at a time: fewer than 4 · 2 s / 5 ms.
    std::smatch m;
    REQUIRE(std::regex_search(o.output, m, std::regex(R"(Requests:\s+([0-9]+) )")));
    CHECK(std::stoi(m[1]) <= 4 * 2000 / 5);
    CHECK(std::stoi(m[1]) >=
          4 * 2000 / 5 / 3);  // and a good share of them (a slow CI machine besides)

    // report.html leads with the answers' latency histogram, whose slices hold every answer;
    // not with a batch's makespan, titled with the -n that did not run.
    std::string page = report_in(out.path);
    CHECK(page.find("data-figure=\"latency-histogram\"") < page.find("<table>"));
    CHECK(page.find("How long all") == std::string::npos);
    std::int64_t in_slices = 0;
    const std::regex slice(R"re(class="bar histogram" data-answers="([0-9]+)")re");
    for (std::sregex_iterator it(page.begin(), page.end(), slice), end; it != end; ++it)
        in_slices += std::stoll((*it)[1]);
    CHECK(in_slices == std::stoll(m[1]));  // (no failures here: every request was answered)
}

TEST_CASE(
    "lab load sends the method, headers and body it is given, and --disable-keepalive closes each "
    "connection",
    "[e2e][load][untimed]") {
    test::ScratchDir out;
    auto body = out.write("body.json", R"({"name":"lab"})");
    {
        test::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        auto o = test::run_lab("load " + url_of(server.port(), "/echo?x=1") +
                               " -m PUT -H 'X-Lab-Test: yes' -H 'Authorization: Bearer t0ken' -d "
                               "hello -n 3 -c 1 --quiet --out " +
                               out.path.string());
        CHECK(o.exit_code == 0);
        std::string got = server.received();
        CHECK(count_of(got, "PUT /echo?x=1 HTTP/1.1\r\n") == 3);
        CHECK(count_of(got, "\r\nX-Lab-Test: yes\r\n") == 3);
        CHECK(count_of(got, "\r\nAuthorization: Bearer t0ken\r\n") == 3);
        CHECK(count_of(got, "\r\nContent-Length: 5\r\n\r\nhello") == 3);
        CHECK(server.connections() == 1);  // keep-alive: one connection carried all three
    }
    {
        test::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        auto o = test::run_lab("load " + url_of(server.port(), "/items") + " -m POST --body-file " +
                               body.string() + " --disable-keepalive -n 4 -c 2 --quiet --out " +
                               out.path.string());
        CHECK(o.exit_code == 0);
        std::string got = server.received();
        CHECK(count_of(got, "POST /items HTTP/1.1\r\n") == 4);
        CHECK(count_of(got, "\r\nConnection: close\r\n") == 4);
        CHECK(count_of(got, "\r\n\r\n{\"name\":\"lab\"}") == 4);
        CHECK(server.connections() == 4);  // a new connection for every request
    }
}

TEST_CASE("lab load counts status codes and error kinds, and mixes endpoints by weight, a row each",
          "[e2e][load][untimed]") {
    test::ScratchDir out;
    {
        test::CannedServer server("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
        auto o = test::run_lab("load " + url_of(server.port(), "/missing") + " -n 20 -c 2 --out " +
                               out.path.string());
        CHECK(o.exit_code == 1);
        CHECK(o.output.find("[404] 20") != std::string::npos);
        CHECK(o.output.find("status 4xx/5xx 20") != std::string::npos);
        CHECK(o.output.find("20 (20 failed") != std::string::npos);
        CHECK(o.output.find("lab load: 20 of 20 requests failed") != std::string::npos);
    }
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    std::int64_t before = received_by(server);
    auto o = test::run_lab("load " + url_of(server.port(), "/health") + " " +
                           url_of(server.port(), "/delay?ms=1") +
                           " -w 3,1 -n 40 -c 4 --quiet --format json --out " + out.path.string());
    REQUIRE(o.exit_code == 0);
    CHECK(received_by(server) - before == 40 + 1);
    auto summary = nlohmann::json::parse(
        o.output.substr(0, o.output.find("\n}\n") + 3))["load_summary"];  // (then stderr)
    REQUIRE(summary["endpoints"].size() == 2);
    CHECK(summary["endpoints"][0]["path"] == "/health");
    CHECK(summary["endpoints"][0]["requests"] == 30);  // 3 of every 4, exactly
    CHECK(summary["endpoints"][1]["requests"] == 10);
    CHECK(summary["status_codes"]["200"] == 40);
    // The table: a row per endpoint, and `lab report` of the folder prints the same summary.
    auto table = test::run_lab("load " + url_of(server.port(), "/health") + " " +
                               url_of(server.port(), "/delay?ms=1") +
                               " -w 3,1 -n 40 -c 4 --quiet --out " + out.path.string());
    CHECK(std::regex_search(table.output, std::regex(R"(\n/health +\| 3 +\| 30 +\|)")));
    CHECK(std::regex_search(table.output, std::regex(R"(\n/delay\?ms=1 +\| 1 +\| 10 +\|)")));
}

TEST_CASE("lab load refuses what it cannot send, with the reason, before sending anything",
          "[e2e][load][untimed]") {
    test::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    const std::string url = url_of(server.port(), "/");
    for (std::string args :
         {url + " -z 2", url + " -z 50ms", url + " --timeout 0s", url + " -H 'no colon'",
          url + " -H 'Bad Name: x'", url + " -m 'GE T'", url + " --body-file /nonexistent-lab-body",
          url + " " + url + " -w 1", url + " http://127.0.0.1:1/other", url + " -t 0",
          url + " -n 0", url + " --rate 10", url + " " + url + " --rate 10 -z 1s",
          url + " -d x --body-file /etc/hostname", url + " -z 4294968s",
          url + " --timeout 4294968s", "'" + url + "a b'", url + " --body-file /tmp"}) {
        INFO(args);
        auto o = test::run_lab("load " + args + " --quiet --out /nonexistent-lab-results");
        CHECK(o.exit_code == 2);
        CHECK_FALSE(o.output.empty());  // the reason
    }
    CHECK(server.received().empty());
    CHECK(test::run_lab("load " + url + " --body-file /tmp --quiet")
              .output.find("--body-file /tmp: is a folder") != std::string::npos);
}

TEST_CASE(
    "a tally counts every request once: answers by status, failures by kind, latency of answers "
    "only",
    "[unit]") {
    lab::Tally t;
    lab::RequestRecord ok;
    ok.intended_us = 100;
    ok.end_us = 600;
    ok.status = 200;
    ok.bytes = 15;
    lab::RequestRecord missing = ok;
    missing.status = 404;
    missing.error = lab::ErrorKind::status;
    lab::RequestRecord refused;
    refused.intended_us = 0;
    refused.end_us = 50;
    refused.error = lab::ErrorKind::connect;
    for (const lab::RequestRecord& r : std::vector<lab::RequestRecord>{ok, ok, missing, refused})
        t.add(r);
    CHECK(t.requests == 4);
    CHECK(t.failed == 2);
    CHECK(t.statuses == std::map<int, std::int64_t>{{200, 2}, {404, 1}});
    CHECK(t.errors_of(lab::ErrorKind::connect) == 1);
    CHECK(t.errors_of(lab::ErrorKind::status) == 1);
    CHECK(t.latency.count() == 3);
    CHECK(t.latency.percentile(50) == 500);
    CHECK(t.body_bytes == 45);
    CHECK(t.seconds() == Approx(600e-6));
    lab::Tally other;
    other.add(refused);
    t.merge(other);
    CHECK(t.requests == 5);
    CHECK(t.errors_of(lab::ErrorKind::connect) == 2);
    CHECK(lab::tally_of({ok, missing}, 2)[0].requests == 2);
}

TEST_CASE("lab load where nothing listens says every request failed, first, and prints no rate",
          "[e2e][load][untimed]") {
    // A port nobody listens on: bind one, note it, close it.
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    const std::uint16_t port = server.port();
    server.stop();
    test::ScratchDir out;
    auto said =
        test::run_lab("load " + url_of(port, "/health") + " -n 20 -c 5 --out " + out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 4);  // a run that got no answer measured nothing
    CHECK(said.output.find("Every request failed: 20 of 20") != std::string::npos);
    CHECK(said.output.find("lab: the run failed: 20 of ") != std::string::npos);
    CHECK(said.output.find("Requests/sec") == std::string::npos);
    CHECK(said.output.find("connect 20") != std::string::npos);
}

TEST_CASE("lab load -d 3s on a GET warns that -d is the body, not wrk's duration",
          "[e2e][load][untimed]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    test::ScratchDir out;
    auto said = test::run_lab("load " + url_of(server.port(), "/health") +
                              " -n 2 -c 1 -d 3s --out " + out.path.string());
    CHECK(said.exit_code == 0);
    CHECK(said.output.find("use -z 3s") != std::string::npos);
}

TEST_CASE("a long tail is sliced on a log scale, so the bulk of the answers spreads over slices",
          "[unit]") {
    lab::Tally t;
    lab::RequestRecord r;
    r.intended_us = 0;
    r.status = 200;
    for (int k = 0; k < 1000; ++k) {  // the bulk: 100 to 999 µs
        r.end_us = 100 + k * 900 / 1000;
        t.add(r);
    }
    r.end_us = 100'000;  // one answer a thousand times slower
    t.add(r);
    REQUIRE(lab::log_spaced(t));
    auto slices = lab::latency_slices(t);
    std::int64_t all = 0, biggest = 0;
    for (const auto& s : slices) all += s.answers, biggest = std::max(biggest, s.answers);
    CHECK(all == 1001);  // every answer in a slice
    CHECK(biggest < 1000);  // not all of the bulk in the first slice, as equal slices put it
    CHECK(slices.back().upper_us >= 100'000);
}

TEST_CASE(
    "lab load --rate ends with what the closed loop's summary ends with: requests per second, "
    "status codes, errors",
    "[e2e][load]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    test::ScratchDir out;
    auto said = test::run_lab("load " + url_of(server.port(), "/delay?ms=1") +
                              " --rate 100 -z 500ms --out " + out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 0);
    CHECK(said.output.find("Requests/sec:") != std::string::npos);
    CHECK(said.output.find("[200] 50") != std::string::npos);
    CHECK(said.output.find("Errors:         none") != std::string::npos);
}

TEST_CASE(
    "an --out that cannot be written is refused before the first request, exit 2, by every command "
    "that writes a run",
    "[e2e][load][untimed]") {
    test::CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    test::ScratchDir scratch;
    const std::string in_the_way =
        scratch.write("a-file", "x")
            .string();  // a file where the folder would go (root may write anywhere else)
    for (const std::string& out : {in_the_way, in_the_way + "/below"}) {
        for (const std::string& command :
             {"load " + url_of(server.port(), "/") + " -n 5 -c 1 --quiet",
              std::string("run blocking-async --only 1 --repeat 1 --quiet"),
              std::string("doctor --example")}) {
            INFO(command << " --out " << out);
            auto o = test::run_lab(command + " --out " + out);
            INFO(o.output);
            CHECK(o.exit_code == 2);
            CHECK(o.output.find("cannot write results in " + out) != std::string::npos);
            CHECK(o.output.find("report:") == std::string::npos);
        }
    }
    CHECK(server.received().empty());
    std::filesystem::path app =
        scratch.path / "app";  // an exercise's app, which must exist to be graded
    REQUIRE(test::run_lab("exercise start " + lab::exercise_names().front() + " " + app.string() +
                          " --solution")
                .exit_code == 0);
    auto graded = test::run_lab("exercise check " + lab::exercise_names().front() + " " +
                                app.string() + " --out " + in_the_way);
    INFO(graded.output);
    CHECK(graded.exit_code == 2);
    CHECK(graded.output.find("cannot write results in " + in_the_way) != std::string::npos);
    CHECK(graded.output.find("expectations hold") == std::string::npos);  // not graded: not run
}

// A server did answer, with more than the lab reads by default: the failure names which limit,
// never suggests that nothing listens, and --max-body / --max-head take larger answers.
TEST_CASE("lab load names an answer over its limits and takes a larger one when told",
          "[e2e][load][hostile][untimed]") {
    test::CannedServer big_body("HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n" +
                                std::string(2 << 20, 'b'));
    test::CannedServer big_head("HTTP/1.1 200 OK\r\nX-Big: " + std::string(16 << 10, 'h') +
                                "\r\nContent-Length: 2\r\n\r\nok");
    test::ScratchDir out;
    const std::string where = " -n 3 -c 1 --out " + out.path.string();
    auto body = test::run_lab("load " + url_of(big_body.port(), "/") + where);
    INFO(body.output);
    CHECK(body.exit_code == 1);
    CHECK(body.output.find("body over 1 MiB 3") != std::string::npos);
    CHECK(body.output.find("Is a server listening there?") == std::string::npos);
    auto head = test::run_lab("load " + url_of(big_head.port(), "/") + where);
    INFO(head.output);
    CHECK(head.exit_code == 1);
    CHECK(head.output.find("head over 8 KiB 3") != std::string::npos);
    CHECK(head.output.find("Is a server listening there?") == std::string::npos);
    auto larger = test::run_lab("load " + url_of(big_body.port(), "/") + where + " --max-body 4M");
    INFO(larger.output);
    CHECK(larger.exit_code == 0);
    CHECK(larger.output.find("[200] 3") != std::string::npos);
    auto longer = test::run_lab("load " + url_of(big_head.port(), "/") + where + " --max-head 32k");
    INFO(longer.output);
    CHECK(longer.exit_code == 0);
    for (const char* refused :
         {"--max-body 2G", "--max-body 0", "--max-body 1x", "--max-head 2M", "--max-body nan"}) {
        auto said = test::run_lab("load " + url_of(big_body.port(), "/") + where + " " + refused);
        INFO(refused << ": " << said.output);
        CHECK(said.exit_code == 2);
    }
}

TEST_CASE(
    "lab load's percentiles, bystander and histogram are requests.csv's own, one p50 in "
    "summary.json",
    "[e2e][load][untimed]") {
    // Thirty answers of about 300 ms within a few ms of each other: a histogram's 2 ms buckets
    // would blur them (p50 = p99 = max once); the figures must be the rows' own, by nearest rank.
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    test::ScratchDir out;
    auto said =
        test::run_lab("load " + url_of(server.port(), "/delay?ms=300") +
                      " -n 30 -c 10 --probe /health --probe-every 20ms --out " + out.path.string());
    INFO(said.output);
    REQUIRE(said.exit_code == 0);
    std::filesystem::path folder;
    for (const auto& file : std::filesystem::recursive_directory_iterator(out.path))
        if (file.path().filename() == "requests.csv") folder = file.path().parent_path();
    REQUIRE(!folder.empty());
    // requests.csv's answered rows: the load's, and the bystander's.
    const auto rows = test::csv_rows(test::read_file(folder / "requests.csv"));
    const auto& head = rows.front();
    auto column = [&](const char* name) {
        return std::find(head.begin(), head.end(), name) - head.begin();
    };
    std::vector<double> answers, probes;
    for (std::size_t k = 1; k < rows.size(); ++k)
        if (rows[k][column("status")] == "200")
            (rows[k][column("kind")] == "probe" ? probes : answers)
                .push_back(std::stod(rows[k][column("latency_us")]));
    REQUIRE(answers.size() == 30);
    REQUIRE(!probes.empty());
    auto ms = [](double us) { return lab::fixed(us / 1000.0, 3); };
    for (auto [name, p] :
         {std::pair{"p50 ", 50.0}, {"p90 ", 90.0}, {"p99 ", 99.0}, {"max ", 100.0}}) {
        INFO(name << "of requests.csv: " << ms(lab::percentile(answers, p)));
        CHECK(std::regex_replace(said.output, std::regex(R"(\s*\n\s*)"), " ")
                  .find(name + ms(lab::percentile(answers, p))) != std::string::npos);
    }
    const std::string joined = std::regex_replace(said.output, std::regex(R"(\s*\n\s*)"),
                                                  " ");  // (wrapped sentences read whole)
    CHECK(
        joined.find("Bystander: GET /health every 20 ms, one at a time, apart from the load: p50 " +
                    ms(lab::percentile(probes, 50)) + " ms, max " +
                    ms(lab::percentile(probes, 100)) + " ms") != std::string::npos);
    CHECK(joined.find("exact: each answer's own time") != std::string::npos);
    // summary.json: the load's p50 as the rows give it, the batch's the same one.
    const auto summary = nlohmann::json::parse(test::read_file(folder / "summary.json"));
    CHECK(summary["load_summary"]["latency_us"]["p50"].get<double>() ==
          lab::percentile(answers, 50));
    CHECK(summary["load_summary"]["latency_us"]["exact"] == true);
    CHECK(summary["configurations"][0]["batches"][0]["latency_s"]["p50"].get<double>() * 1e6 ==
          Approx(lab::percentile(answers, 50)).margin(0.5));
    // The histogram: slices from the fastest answer to the slowest, each counting the rows within
    // it.
    std::vector<std::pair<double, std::int64_t>>
        slices;  // "  300.512 [  7] ■■■■": upper edge (µs), answers
    const std::regex slice(R"(\n\s+([0-9]+\.[0-9]{3}) \[\s*([0-9]+)\])");
    for (auto it = std::sregex_iterator(said.output.begin(), said.output.end(), slice);
         it != std::sregex_iterator(); ++it)
        slices.emplace_back(std::stod((*it)[1]) * 1000.0, std::stoll((*it)[2]));
    REQUIRE(slices.size() >= 2);
    CHECK(slices.back().first == Approx(lab::percentile(answers, 100)).margin(0.5));
    double below =
        lab::percentile(answers, 0) - 1;  // (the first slice starts at the fastest answer)
    for (auto [edge, n] : slices) {
        INFO("slice up to " << edge << " µs");
        CHECK(n == std::count_if(answers.begin(), answers.end(),
                                 [&](double us) { return us > below + 0.5 && us <= edge + 0.5; }));
        below = edge;
    }
    CHECK(report_in(out.path).find("Percentiles and slices exact") != std::string::npos);
}
