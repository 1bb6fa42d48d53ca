// A results folder reads back as the run that wrote it: for every shipped scenario (and its
// FastAPI twins, and a `lab load`), the table, the JSON and report.html come back the same.
// (A damaged folder: damaged_results_test.cpp.)
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness/statistics.hpp"
#include "lab/doctor/folder.hpp"
#include "lab/doctor/judge.hpp"
#include "lab/doctor/page.hpp"
#include "lab/doctor/report.hpp"
#include "lab/figures/load_figures.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/report.hpp"
#include "lab/scenario/overrides.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/schema.hpp"
#include "lab/results/writer.hpp"
#include "lab/scenario/scenario.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using test::external_load;
using test::made_up_run;
using test::shipped;

std::string table(const lab::RunResult& run, lab::Format format = lab::Format::table) {
    std::ostringstream out;
    lab::print_run(out, run, format);
    return out.str();
}

// Writes `run`, reads it back, and finds the same table, JSON and page.
void round_trip(const lab::RunResult& run) {
    test::ScratchDir dir;
    fs::path folder =
        lab::write_results(run, dir.path, {{.name = "report.html", .text = lab::html_report(run)}});
    lab::RunResult back = lab::read_results(folder);
    CHECK(table(back) == table(run));
    CHECK(back.run_s == run.run_s);  // how long it took: the README's demonstrations cite it
    for (std::size_t i = 0; i < run.configurations.size() && i < back.configurations.size(); ++i) {
        const auto& batches = back.configurations[i].batches;
        for (std::size_t k = 0; k < run.configurations[i].batches.size() && k < batches.size();
             ++k) {
            const lab::BatchRecord& ran = run.configurations[i].batches[k];
            CHECK(batches[k].cpu == ran.cpu);  // so `lab report` judges as the run did
            CHECK(batches[k].jobs_done == ran.jobs_done);  // and grades the work done
        }
    }
    CHECK(table(back, lab::Format::json) == table(run, lab::Format::json));
    CHECK(table(back, lab::Format::csv) == table(run, lab::Format::csv));
    CHECK(lab::html_report(back) == test::read_file(folder / "report.html"));
}

}  // namespace

TEST_CASE("every shipped scenario's results read back as the same table and page", "[unit]") {
    auto all = shipped();
    REQUIRE(all.size() >= 12);
    bool open_loop = false, memory = false, probes = false;
    for (const auto& scenario : all) {
        INFO("scenario " << scenario.name);
        open_loop |= scenario.load.rate > 0;
        memory |= scenario.load.report_memory;
        probes |= !scenario.load.probe_path.empty();
        round_trip(made_up_run(scenario));
    }
    CHECK(open_loop);  // stall
    CHECK(memory);  // c10k
    CHECK(probes);  // head-of-line
    CHECK(std::any_of(all.begin(), all.end(),
                      [](const auto& s) { return s.load.path == "/db"; }));  // blocking-driver
}

TEST_CASE("a lesson's ramp reads back: its steps, its knee and its cause, said the same",
          "[unit]") {
    auto all = shipped();
    auto pools = std::ranges::find(all, std::string("thread-pool"), &lab::Scenario::name);
    REQUIRE(pools != all.end());
    REQUIRE(pools->load.ramp_max_in_flight > 100);  // past the larger pool
    lab::RunResult run = made_up_run(*pools);
    lab::ConfigurationResult& first = run.configurations.at(0);
    for (int k : {1, 2, 4, 8, 16, 32, 40, 41, 42, 44, 48, 64}) {  // 40 threads, d = 100 ms
        const double mean_ms = 100.0 * std::max(1.0, k / 40.0);
        first.ramp.push_back({.in_flight = k,
                              .answered = 2 * k,
                              .p50_ms = mean_ms,
                              .mean_ms = mean_ms,
                              .throughput_rps = k / (mean_ms / 1000)});
        first.ramp.back().counted.token_waits = k > 40 ? k - 40 : 0;
        first.ramp.back().counted.cpu_cores = k / 200.0;  // (a twin's count of itself)
    }
    first.knee_cause = "the pool's 40 threads";
    round_trip(run);
    test::ScratchDir dir;
    const lab::RunResult back = lab::read_results(lab::write_results(run, dir.path));
    CHECK(lab::knee_in_flight(back.configurations.at(0).ramp) == 40);
    CHECK(back.configurations.at(0).ramp.at(7).counted.token_waits == 1);
    CHECK(back.configurations.at(0).ramp.at(7).counted.cpu_cores == Approx(0.205));
    CHECK(back.configurations.at(0).knee_cause == first.knee_cause);
    CHECK(back.configurations.at(1).ramp.empty());
    CHECK(
        table(back).find("- def route, 40 threads: knee at 40 in flight: the pool's 40 threads") !=
        std::string::npos);
    CHECK(lab::html_report(back).find("<li>def route, 40 threads: knee at 40 in flight: the "
                                      "pool's 40 threads</li>") != std::string::npos);
}

TEST_CASE("FastAPI rows, lab load and a configuration cut off read back the same", "[unit]") {
    for (const auto& scenario : shipped()) {
        INFO("scenario " << scenario.name << " with FastAPI twins");
        lab::Scenario twins = scenario;
        twins.configurations.clear();
        for (const auto& c : scenario.configurations) {  // as with_fastapi() makes them
            twins.configurations.push_back(c);
            lab::Configuration twin = c;
            twin.server = lab::Server::fastapi;
            twin.label += " [FastAPI]";
            twin.balance = lab::Balance::shared;
            twin.gil = true;  // (the document's figure stays, as with_fastapi() keeps it)
            twin.fastapi_loop = lab::TwinLoop::uvloop;
            twins.configurations.push_back(twin);
        }
        round_trip(made_up_run(twins));
    }
    lab::Scenario load = external_load();
    load.source = "—";
    load.load.rate = 150;
    load.load.duration_ms = 200;
    round_trip(made_up_run(load));
    load.load.rate = 0;
    round_trip(made_up_run(load));
    // A mix of two paths by weight, with the options of hey and wrk.
    load.load.flags.more_paths = {"/health", "/a,b \"c\""};
    load.load.flags.weights = {3, 1, 2};
    load.load.flags.headers = {"Accept: <yes>", "Authorization: Bearer t", "Private-Token: t2"};
    load.load.flags.body = "{\"a\": 1}\n";
    load.load.method = "PUT";
    load.load.flags.keep_alive = false;
    load.load.flags.client_threads = 2;
    load.load.flags.run_for_ms = 2000;
    load.load.timeout_ms = 1500;
    lab::RunResult mixed = made_up_run(load);
    for (auto& b : mixed.configurations[0].batches) {
        for (auto& r : b.requests) r.endpoint = r.index % 3;
        b.unfinished = 4;
    }
    lab::measure_figures(mixed);  // (as a run computes them, once its batches are in)
    round_trip(mixed);
    {  // a credential's value is not kept in the folder; the other headers are, as sent
        test::ScratchDir dir;
        fs::path folder = lab::write_results(mixed, dir.path);
        CHECK(test::read_file(folder / "summary.json").find("Bearer t") == std::string::npos);
        CHECK(lab::read_results(folder).scenario.load.flags.headers ==
              std::vector<std::string>{"Accept: <yes>", "Authorization: (not kept)",
                                       "Private-Token: (not kept)"});
    }

    lab::RunResult cut = made_up_run(shipped().front());
    cut.configurations[0].error =
        "no answer within 15.0 s (5× the model's 1.000 s + 10 s): is the server stopped or "
        "overloaded?";
    cut.configurations[0].makespan = {};
    cut.configurations[0].median_batch = 0;
    lab::measure_figures(cut);
    round_trip(cut);
}

TEST_CASE(
    "a `lab load` run past requests.csv's limit reads back with the figures it printed, not the "
    "kept ones'",
    "[unit]") {
    lab::RunResult run = made_up_run(external_load());
    lab::ConfigurationResult& r = run.configurations[0];
    for (std::size_t k = 0; k < r.batches.size();
         ++k) {  // as the harness keeps a batch past keep_records: all counted, the first kept
        lab::BatchRecord& b = r.batches[k];
        b.tallies = lab::tally_of(b.requests, 1);
        const std::size_t kept = b.requests.size() / 3;
        b.not_recorded = static_cast<std::int64_t>(b.requests.size() - kept);
        b.requests.resize(kept);
        b.stats = lab::summarize(b);
    }
    std::vector<double> makespans;  // (as the run judges its kept records)
    for (const auto& b : r.batches) makespans.push_back(b.stats.makespan_s);
    r.makespan = lab::spread_of(makespans);
    lab::measure_figures(run);
    round_trip(run);
    test::ScratchDir dir;
    fs::path folder = lab::write_results(run, dir.path);
    const auto printed = lab::load_summary_json(run),
               reported = lab::load_summary_json(lab::read_results(folder));
    CHECK(reported["requests"] == printed["requests"]);
    CHECK(reported["requests_per_second"] == printed["requests_per_second"]);
    CHECK(reported["latency_us"] == printed["latency_us"]);
    // A histogram no run could have written is refused with its key, not read as figures.
    std::string summary = test::read_file(folder / "summary.json");
    auto at = summary.find("\"buckets\": [");
    REQUIRE(at != std::string::npos);
    std::ofstream(folder / "summary.json") << summary.insert(at + 12, "[999999, 5], ");
    CHECK_THROWS_WITH(lab::read_results(folder), Catch::Contains("tallies[0].latency_us"));
}

// A `lab doctor` run as run_doctor leaves it: a route that sleeps on the loop (its requests one
// after another, 80 ms each), one that awaits, one not sent, and the two mixed.
lab::RouteRun made_up_route(const char* target, std::int64_t hold_us, int endpoint = 0) {
    lab::RouteRun r;
    r.request.route = {.method = "GET", .path = target, .endpoint = "app.main:f", .is_async = true};
    r.request.target = target;
    r.warm_status = 200;
    for (int i = 0; i < 4; ++i) {
        const std::int64_t start = 100 + i * (hold_us + 100), end = start + hold_us + 50;
        r.burst.requests.push_back({.batch = 0,
                                    .index = i,
                                    .connection = i,
                                    .endpoint = endpoint,
                                    .intended_us = 0,
                                    .send_us = 0,
                                    .first_byte_us = end,
                                    .end_us = end + 10,
                                    .status = 200,
                                    .server_start_us = start,
                                    .server_end_us = end});
        lab::ProbeRecord p{.method = "GET", .target = target, .route = target, .status = 200};
        p.start_us = 5'000'000 + start, p.answered_us = p.done_us = 5'000'000 + end;
        p.loop_ms = p.longest_hold_ms = p.measured_ms = static_cast<double>(hold_us) / 1000;
        p.measured_cpu_ms = 0.1, p.cpu_share = 0.0;
        p.where = "app/sdk.py:9 rate → time.sleep", p.call = "time.sleep";
        p.owner = "route", p.owner_name = "rate";
        p.spans = {{p.start_us, p.start_us + hold_us}};
        r.records.push_back(p);
    }
    for (int k = 0; k < 8; ++k)  // the bystander, every 10 ms
        r.burst.probes.push_back({.index = k,
                                  .intended_us = k * 10'000,
                                  .send_us = k * 10'000,
                                  .end_us = k * 10'000 + 300,
                                  .status = 200});
    return r;
}

lab::DoctorRun made_up_doctor_run() {
    lab::DoctorRun run;
    run.app = run.app_spec = "app.main:app";
    run.requests = 4;
    run.routes = {made_up_route("/price/1", 80'000), made_up_route("/stock/<1>", 500)};
    run.routes.emplace_back().request = {
        .route = {.method = "POST", .path = "/orders"},
        .skipped = "POST: only GET and HEAD unless --methods POST"};
    run.mixed = lab::MixedRun{.routes = {0, 1}};
    for (std::size_t k : run.mixed->routes) {
        lab::RouteRun each = made_up_route(run.routes[k].request.target.c_str(),
                                           k == 0 ? 80'000 : 500, static_cast<int>(k));
        for (auto& q : each.burst.requests) run.mixed->batch.requests.push_back(q);
        for (auto& p : each.records) run.mixed->records.push_back(p);
    }
    run.run_s = 1.5;
    run.max_in_flight = 4;  // --ramp: /price/1 bent past 1 in flight, the probe's counts kept
    for (int k : {1, 2, 4})
        run.routes[0].ramp.push_back({.in_flight = k,
                                      .answered = 10,
                                      .p50_ms = 80.0 * k,
                                      .mean_ms = 80.0 * k,
                                      .throughput_rps = 12.5,
                                      .counted = {.tokens_total = 40, .tokens_borrowed = 0}});
    lab::judge_routes(run);
    return run;
}

TEST_CASE("a doctor's run reads back from its own folder the same; its page leads with the routes",
          "[unit]") {
    const lab::DoctorRun run = made_up_doctor_run();
    test::ScratchDir dir;
    fs::path folder = lab::write_doctor_folder(
        run, dir.path, {{.name = "report.html", .text = lab::doctor_html(run)}});
    CHECK(folder.parent_path().filename() == "doctor");
    CHECK_FALSE(fs::exists(folder / "summary.json"));  // a product of its own, not a lesson's
    const lab::DoctorRun back = lab::read_doctor_folder(folder);
    CHECK(lab::stored_doctor_json(back) == lab::stored_doctor_json(run));
    CHECK(back.routes[0].ramp.size() == 3);
    CHECK(back.routes[0].ramp[2].counted.tokens_total == 40);
    CHECK(lab::routes_under(back, 13) == 1);  // (--fail-under: its ceiling, 12.5/s)
    CHECK(lab::routes_under(back, 12) == 0);
    CHECK(back.routes[0].figures.verdict == run.routes[0].figures.verdict);  // judged the same
    std::ostringstream said, said_back;
    lab::print_doctor(said, run, {100, false, false}, false);
    lab::print_doctor(said_back, back, {100, false, false}, false);
    CHECK(said_back.str() == said.str());
    CHECK(said.str().find("Each route ramped, up to 4 in flight") != std::string::npos);
    CHECK(said.str().find("the loop: each request holds it 80.0 ms") != std::string::npos);
    const std::string page = lab::doctor_html(back);
    CHECK(page == test::read_file(folder / "report.html"));
    auto routes = page.find("<h2>Route by route</h2>"),
         mixed = page.find("whose code held the loop"),
         bursts = page.find("Each route's burst alone");
    CHECK(routes != std::string::npos);
    CHECK(mixed > routes);
    CHECK(bursts > mixed);
    CHECK(page.find("<tr class=\"culprit\"><td>GET /price/1</td>") != std::string::npos);
    CHECK(page.find("GET /stock/&lt;1&gt;") != std::string::npos);  // the app's text, escaped
    CHECK(page.find("POST /orders: not sent") != std::string::npos);
    CHECK(page.find("class=\"hold named\"") > mixed);  // the culprit's holds, on the loop's row
    CHECK(page.find(">loop</text>") != std::string::npos);
    CHECK_THROWS_WITH(lab::read_results(folder), Catch::Contains("`lab report` shows it"));
    // Damaged, it is refused with the file, the key and the reason, as a lesson's folder is.
    auto stored = nlohmann::json::parse(test::read_file(folder / "doctor.json"));
    stored["routes"][1]["warm"]["took_ms"] = "soon";
    std::ofstream(folder / "doctor.json", std::ios::trunc) << stored.dump();
    CHECK_THROWS_WITH(lab::read_doctor_folder(folder),
                      Catch::Contains("doctor.json: routes[1].warm.took_ms: type must be number"));
}

// The shop's /thumbnail held the loop 10.6 ms in all, said beside "the other routes' requests
// waited 47.2 ms each behind it": its steps' waits for the GIL were in the spans the others
// waited behind, and not in the hold. Now they are its hold's, said "of it".
TEST_CASE(
    "all routes at once, a route's hold counts its steps' waits for the GIL, and no other "
    "route waits behind it longer than it held the loop",
    "[unit]") {
    lab::DoctorRun run = made_up_doctor_run();
    for (lab::ProbeRecord& p : run.mixed->records)
        if (p.target == "/price/1")  // each 80 ms step: 40 ms its own, 40 waiting for the GIL
            p.loop_ms = 40, p.gil_wait_ms = 40, p.gil_wait_by = "GET /price/1";
        else  // answered after every step of /price/1: they waited behind all four
            p.answered_us = p.done_us = 5'400'000;
    const std::vector<lab::MixedFigures> figures = lab::mixed_figures(*run.mixed, run.routes);
    CHECK(figures[0].held_ms == Approx(320));
    CHECK(figures[0].others_waited_ms == Approx(320));
    std::ostringstream out;
    lab::print_doctor(out, run, {100, false, false}, false);
    std::string said = out.str();
    std::ranges::replace(said, '\n', ' ');
    CHECK(said.find("held the loop 320.0 ms in 4 requests, 160.0 ms of it waiting for the GIL "
                    "while its other requests computed; the other routes' requests waited 320.0 "
                    "ms each (median) behind it") != std::string::npos);
}

TEST_CASE("labels survive the files whatever they hold, and are never merged", "[unit]") {
    lab::RunResult run = made_up_run(shipped().front());
    REQUIRE(run.configurations.size() >= 2);
    run.scenario.title = "<script>alert('title')</script>";
    run.scenario.teaching = "<script>alert('teaching')</script>";
    run.scenario.source = "<img src=x onerror=alert(1)>";
    run.configurations[0].configuration.label =
        "=HYPERLINK(\"http://x\",\"<script>alert(1)</script>\")";
    run.configurations[1].configuration.label =
        run.configurations[0].configuration.label;  // the same twice
    run.configurations[0].configuration.document_text = "<script>alert('doc')</script>";
    run.configurations[1].verdict = lab::Verdict::read("line one\nline two, with \"quotes\"");
    lab::RunResult more = run;
    more.configurations[0].configuration.label = "'quoted'\nsecond line, comma";
    more.configurations[1].configuration.label = "-1+2";
    for (const auto& r : {run, more}) {
        round_trip(r);
        test::ScratchDir dir;
        fs::path folder = lab::write_results(r, dir.path);
        lab::RunResult back = lab::read_results(folder);
        REQUIRE(back.configurations.size() == r.configurations.size());
        for (std::size_t i = 0; i < r.configurations.size(); ++i) {
            CHECK(back.configurations[i].configuration.label ==
                  r.configurations[i].configuration.label);
            CHECK(back.configurations[i].batches.size() == r.configurations[i].batches.size());
            CHECK(back.configurations[i].batches[0].requests.size() ==
                  r.configurations[i].batches[0].requests.size());
        }
        std::string csv = test::read_file(folder / "requests.csv");
        CHECK(csv.find(",=") == std::string::npos);  // no field starts a formula
        CHECK(csv.find(",-1+2") == std::string::npos);
        std::string page = lab::html_report(r);
        std::size_t scripts = 0;
        for (auto at = page.find("<script"); at != std::string::npos;
             at = page.find("<script", at + 1))
            ++scripts;
        CHECK(scripts == 0);  // none from the texts, and the page has none of its own
        CHECK(page.find("<img") == std::string::npos);
    }
}

// The page shows a lesson as its author meant it: paragraphs and lists, not the file's line breaks.
TEST_CASE("report.html sets the lesson in paragraphs and lists", "[unit]") {
    lab::RunResult run = made_up_run(shipped().front());
    run.scenario.teaching =
        "\nOne paragraph,\nwrapped in the file.\n\n- an item,\n  wrapped\n- a <second>\n\nThe end.";
    std::string page = lab::html_report(run);
    CHECK(page.find("<div class=\"teaching\">\n<p>One paragraph, wrapped in the file.</p>\n"
                    "<ul>\n<li>an item, wrapped</li>\n<li>a &lt;second&gt;</li>\n</ul>\n<p>The "
                    "end.</p>\n</div>") != std::string::npos);
}

TEST_CASE("CSV fields read back exactly as written", "[unit]") {
    for (std::string text : {"", "plain", "a,b", "say \"hi\"", "two\nlines", "\r\n", "=1+1", "+1",
                             "-1", "@x", "'", "''=", "\tx", "'already"}) {
        INFO(text);
        auto rows = test::csv_rows(lab::csv_field(text) + "," + lab::csv_field(text) + "\n");
        REQUIRE(rows.size() == 1);
        REQUIRE(rows[0].size() == 2);
        CHECK(rows[0][0] == text);
        CHECK(rows[0][1] == text);
    }
    CHECK_THROWS_AS(test::csv_rows("\"never closed\n"), std::invalid_argument);
}
