// A results folder reads back as the run that wrote it: for every shipped scenario (and its
// FastAPI twins, and a `lab load`), the table, the JSON and report.html come back the same.
// And a damaged folder is refused with the file, the place and the reason, never a crash.
#include <catch2/catch.hpp>

#include <csignal>
#include <sstream>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness/statistics.hpp"
#include "lab/report/html_report.hpp"
#include "lab/report/report.hpp"
#include "lab/report/formats.hpp"
#include "lab/run/overrides.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/schema.hpp"
#include "lab/results/writer.hpp"
#include "lab/run/scenario.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;

// Records as a run would make them, deterministic, with every field set somewhere.
lab::Batch made_up_batch(int number, int requests, const lab::Load& load, std::size_t config, bool queued) {
    lab::Batch b;
    b.number = number;
    for (int i = 0; i < requests; ++i) {
        lab::RequestRecord r;
        r.batch = number;
        r.index = i;
        r.connection = i % 4;
        r.intended_us = load.rate > 0 ? i * 5000 : 0;
        r.connect_us = i < 4 ? 100 : -1;
        r.send_us = r.intended_us + (i % 7 == 3 ? 2500 : 10);
        r.server_start_us = r.send_us + 50 + 1000 * static_cast<int>(config) * i;
        r.server_end_us = r.server_start_us + load.delay_ms * 1000;
        r.first_byte_us = r.server_end_us + 30;
        r.end_us = r.first_byte_us + 5 + number;
        r.status = 200;
        r.bytes = 180;
        r.worker_pid = 1000 + i % 3;
        r.thread_id = 2000 + i % 5;
        if (load.path == "/db") {  // PostgreSQL's own stamps, inside the server's
            r.db_start_us = r.server_start_us + 200;
            r.db_end_us = r.server_end_us - 100;
        }
        if (queued) {  // a job: queued just after its send, found done a poll after it finished
            r.job_queued_us = r.send_us + 20;
            r.done_us = r.server_end_us + 20'000;
        }
        if (i == requests - 1) {  // one failure in every batch: recorded, not dropped
            r.error = lab::ErrorKind::read;
            r.status = 0;
            r.first_byte_us = r.server_start_us = r.server_end_us = r.worker_pid = r.thread_id = -1;
            r.db_start_us = r.db_end_us = r.job_queued_us = r.done_us = -1;
        }
        b.requests.push_back(r);
    }
    if (!load.probe_path.empty())
        for (int p = 0; p < 3; ++p) {
            lab::RequestRecord q;
            q.batch = number;
            q.index = p;
            q.connection = -1;
            q.intended_us = q.send_us = 12'500 + 25'000 * p;
            q.end_us = q.send_us + 700 + 300 * p;
            q.status = 200;
            q.bytes = 16;
            b.probes.push_back(q);
        }
    return b;
}

// A whole run of `scenario` without running it: the shapes of its results, not real figures.
lab::RunResult made_up_run(const lab::Scenario& scenario) {
    lab::RunResult run;
    run.scenario = scenario;
    run.cores = 2;
    run.run_s = 12.25;
    for (std::size_t i = 0; i < scenario.configurations.size(); ++i) {
        lab::ConfigurationResult r;
        r.configuration = scenario.configurations[i];
        lab::Load own = lab::load_of(scenario.load, r.configuration);
        r.model = lab::model_of(r.configuration, own);
        r.model_s = lab::predicted_makespan_s(r.model, lab::workload_of(own));
        int n = std::min(own.requests, 24);
        std::vector<double> makespans;
        for (int k = 1; k <= scenario.load.repeat; ++k) {
            r.batches.push_back(made_up_batch(k, n, scenario.load, i, r.configuration.queued()));
            r.stats.push_back(lab::summarize(r.batches.back()));
            makespans.push_back(r.stats.back().makespan_s);
            r.loop_blocked_ms.push_back(k == 1 ? -1.0 : 12.25 * k);
            r.max_computing.push_back(k % 3);
            if (scenario.load.rate > 0) {
                lab::OpenLoopResult o;
                for (const auto& q : r.batches.back().requests) lab::account(o, q);
                o.harness_slip_us = 700 * k;
                o.batch = r.batches.back();
                r.open_loop.push_back(std::move(o));
            }
        }
        r.makespan = lab::spread_of(makespans);
        r.median_batch = r.batches.size() / 2;
        r.verdict = lab::verdict(r.stats[r.median_batch], own.requests, own.concurrency);
        r.peak_rss_kib = scenario.load.report_memory ? 40'000 + static_cast<long>(i) : -1;
        r.pss_kib = scenario.load.report_memory ? 12'000 + static_cast<long>(i) : -1;
        r.server_log = "loop blocked for 100.2 ms (handler /delay)";
        run.configurations.push_back(std::move(r));
    }
    return run;
}

std::string table(const lab::RunResult& run, lab::Format format = lab::Format::table) {
    std::ostringstream out;
    lab::print_run(out, run, format);
    return out.str();
}

// Writes `run`, reads it back, and finds the same table, JSON and page.
void round_trip(const lab::RunResult& run) {
    test::ScratchDir dir;
    fs::path folder = lab::write_results(run, dir.path, {{.name = "report.html", .text = lab::html_report(run)}});
    lab::RunResult back = lab::read_results(folder);
    CHECK(table(back) == table(run));
    CHECK(back.run_s == run.run_s);  // how long it took: the README's demonstrations cite it
    CHECK(table(back, lab::Format::json) == table(run, lab::Format::json));
    CHECK(table(back, lab::Format::csv) == table(run, lab::Format::csv));
    CHECK(lab::html_report(back) == test::read_file(folder / "report.html"));
}

std::vector<lab::Scenario> shipped() {
    std::vector<lab::Scenario> all;
    for (const fs::path& file : lab::scenario_files(fs::path(LAB_SOURCE_DIR) / "scenarios"))
        all.push_back(lab::apply(lab::load_scenario(file), {}));
    return all;
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
    CHECK(memory);     // c10k
    CHECK(probes);     // head-of-line
    CHECK(std::any_of(all.begin(), all.end(), [](const auto& s) { return s.load.path == "/db"; }));  // blocking-driver
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
            twin.fastapi_loop = "uvloop";
            twins.configurations.push_back(twin);
        }
        round_trip(made_up_run(twins));
    }
    lab::Scenario load;  // as `lab load` describes its target
    load.kind = lab::RunKind::load;
    load.name = "load";
    load.title = "lab load http://[::1]:8080/delay?ms=1&x=<b>";
    load.source = "—";
    load.load.delay_ms = 0;
    load.load.path = "/delay?ms=1&x=<b>";
    load.load.rate = 150;
    load.load.duration_ms = 200;
    lab::Configuration external;
    external.label = "http://[::1]:8080/delay?ms=1&x=<b>";
    external.mode = "external";
    external.server = lab::Server::external;
    external.host = "::1";
    external.port = 8080;
    load.configurations.push_back(external);
    round_trip(made_up_run(load));
    load.load.rate = 0;
    round_trip(made_up_run(load));
    // A mix of two paths by weight, with the options of hey and wrk.
    load.load.more_paths = {"/health", "/a,b \"c\""};
    load.load.weights = {3, 1, 2};
    load.load.headers = {"X-Lab: <yes>", "Authorization: Bearer t", "Private-Token: t2"};
    load.load.body = "{\"a\": 1}\n";
    load.load.method = "PUT";
    load.load.keep_alive = false;
    load.load.client_threads = 2;
    load.load.run_for_ms = 2000;
    load.load.timeout_ms = 1500;
    lab::RunResult mixed = made_up_run(load);
    for (auto& b : mixed.configurations[0].batches) {
        for (auto& r : b.requests) r.endpoint = r.index % 3;
        b.unfinished = 4;
    }
    round_trip(mixed);
    {  // a credential's value is not kept in the folder; the other headers are, as sent
        test::ScratchDir dir;
        fs::path folder = lab::write_results(mixed, dir.path);
        CHECK(test::read_file(folder / "summary.json").find("Bearer t") == std::string::npos);
        CHECK(lab::read_results(folder).scenario.load.headers ==
              std::vector<std::string>{"X-Lab: <yes>", "Authorization: (not kept)", "Private-Token: (not kept)"});
    }

    lab::RunResult cut = made_up_run(shipped().front());
    cut.configurations[0].error = "no answer within 15.0 s (5× the model's 1.000 s + 10 s): is the server stopped or overloaded?";
    cut.configurations[0].makespan = {};
    cut.configurations[0].median_batch = 0;
    round_trip(cut);
}

TEST_CASE("labels survive the files whatever they hold, and are never merged", "[unit]") {
    lab::RunResult run = made_up_run(shipped().front());
    REQUIRE(run.configurations.size() >= 2);
    run.scenario.title = "<script>alert('title')</script>";
    run.scenario.teaching = "<script>alert('teaching')</script>";
    run.scenario.source = "<img src=x onerror=alert(1)>";
    run.configurations[0].configuration.label = "=HYPERLINK(\"http://x\",\"<script>alert(1)</script>\")";
    run.configurations[1].configuration.label = run.configurations[0].configuration.label;  // the same twice
    run.configurations[0].configuration.document_text = "<script>alert('doc')</script>";
    run.configurations[1].verdict = "line one\nline two, with \"quotes\"";
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
            CHECK(back.configurations[i].configuration.label == r.configurations[i].configuration.label);
            CHECK(back.configurations[i].batches.size() == r.configurations[i].batches.size());
            CHECK(back.configurations[i].batches[0].requests.size() == r.configurations[i].batches[0].requests.size());
        }
        std::string csv = test::read_file(folder / "requests.csv");
        CHECK(csv.find(",=") == std::string::npos);   // no field starts a formula
        CHECK(csv.find(",-1+2") == std::string::npos);
        std::string page = lab::html_report(r);
        std::size_t scripts = 0;
        for (auto at = page.find("<script"); at != std::string::npos; at = page.find("<script", at + 1)) ++scripts;
        CHECK(scripts == 1);  // the page's own, nothing from the texts
        CHECK(page.find("<img") == std::string::npos);
    }
}

// The page shows a lesson as its author meant it: paragraphs and lists, not the file's line breaks.
TEST_CASE("report.html sets the lesson in paragraphs and lists", "[unit]") {
    lab::RunResult run = made_up_run(shipped().front());
    run.scenario.teaching = "\nOne paragraph,\nwrapped in the file.\n\n- an item,\n  wrapped\n- a <second>\n\nThe end.";
    std::string page = lab::html_report(run);
    CHECK(page.find("<div class=\"teaching\">\n<p>One paragraph, wrapped in the file.</p>\n"
                    "<ul>\n<li>an item, wrapped</li>\n<li>a &lt;second&gt;</li>\n</ul>\n<p>The end.</p>\n</div>") != std::string::npos);
}

TEST_CASE("CSV fields read back exactly as written", "[unit]") {
    for (std::string text : {"", "plain", "a,b", "say \"hi\"", "two\nlines", "\r\n", "=1+1", "+1", "-1", "@x", "'", "''=",
                             "\tx", "'already"}) {
        INFO(text);
        auto rows = lab::read_csv(lab::csv_field(text) + "," + lab::csv_field(text) + "\n");
        REQUIRE(rows.size() == 1);
        REQUIRE(rows[0].size() == 2);
        CHECK(rows[0][0] == text);
        CHECK(rows[0][1] == text);
    }
    CHECK_THROWS_AS(lab::read_csv("\"never closed\n"), std::invalid_argument);
}

namespace {

// A results folder written whole, then damaged by `damage`: read_results must refuse it with
// the given words in its message, not crash or pass.
void refused(const std::function<void(const fs::path&)>& damage, const std::string& words) {
    test::ScratchDir dir;
    lab::RunResult run = made_up_run(shipped().front());
    fs::path folder = lab::write_results(run, dir.path);
    damage(folder);
    try {
        lab::read_results(folder);
        FAIL("read a damaged folder without complaint; expected: " << words);
    } catch (const lab::ResultsError& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find(words) != std::string::npos);
    }
}

void rewrite(const fs::path& file, const std::function<std::string(std::string)>& change) {
    std::string text = change(test::read_file(file));
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

void edit_summary(const fs::path& folder, const std::function<void(nlohmann::json&)>& change) {
    auto json = nlohmann::json::parse(test::read_file(folder / "summary.json"));
    change(json);
    std::ofstream(folder / "summary.json", std::ios::trunc) << json.dump(2);
}

}  // namespace

TEST_CASE("a damaged results folder is refused with the file, the place and the reason", "[unit]") {
    refused([](const fs::path& f) { rewrite(f / "requests.csv", [](std::string t) { return t.substr(0, t.find('\n') + 1); }); },
            "requests.csv: has 0 batches of configuration 1");
    refused([](const fs::path& f) {
        rewrite(f / "requests.csv", [](std::string t) {  // only the first configuration's rows
            std::string kept;
            std::istringstream in(t);
            for (std::string line; std::getline(in, line);)
                if (kept.empty() || line.rfind("0,", 0) == 0) kept += line + "\n";
            return kept;
        });
    }, "of configuration 2");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["configurations"][0]["label"] = "another run's"; }); },
            "files of two different runs");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["load"]["concurrency"] = 0; }); },
            "summary.json: load.concurrency: must be from 1 to 10000, got 0");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["load"]["requests"] = 1e30; }); },
            "load.requests: must be a whole number, got 1e+30");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["configurations"][1]["document_s"] = "soon"; }); },
            "configurations[1].document_s: must be a number");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j.erase("configurations"); }); }, "configurations: missing");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["configurations"][0]["balance"] = "sideways"; }); },
            "configurations[0].balance: 'sideways' is not one of: shared, reuseport, round-robin");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["kind"] = 3; }); }, "kind: must be a string, got 3");
    refused([](const fs::path& f) { rewrite(f / "summary.json", [](std::string t) { return t.substr(0, t.size() / 2); }); },
            "summary.json: not valid JSON");
    refused([](const fs::path& f) { rewrite(f / "requests.csv", [](std::string t) { return replace_first(t, ",request,0,", ",request,zero,"); }); },
            "column 'index': 'zero' is not a whole number");
    refused([](const fs::path& f) { rewrite(f / "requests.csv", [](std::string t) { return replace_first(t, "send_us", "sent_us"); }); },
            "no column 'send_us'");
    refused([](const fs::path& f) { rewrite(f / "requests.csv", [](std::string t) { return replace_first(t, ",read,", ",melted,"); }); },
            "column 'error'");
    refused([](const fs::path& f) { fs::remove(f / "requests.csv"); }, "requests.csv: cannot be read");
}

TEST_CASE("`lab load` is a kind of run of its own, kept in the folder", "[unit]") {
    lab::Scenario load;
    load.kind = lab::RunKind::load;
    load.name = "load";
    load.title = "lab load http://127.0.0.1:8080/";
    load.load.delay_ms = 0;
    load.load.path = "/";
    lab::Configuration external;
    external.label = "http://127.0.0.1:8080/";
    external.mode = "external";
    external.server = lab::Server::external;
    load.configurations.push_back(external);
    test::ScratchDir dir;
    fs::path folder = lab::write_results(made_up_run(load), dir.path);
    CHECK(lab::read_results(folder).scenario.kind == lab::RunKind::load);
    edit_summary(folder, [](auto& j) { j.erase("kind"); });  // a folder from before "kind": said by its servers
    CHECK(lab::read_results(folder).scenario.kind == lab::RunKind::load);
    // Before its first answer (the live view's plan), `lab load` is described as hey would.
    std::string line = lab::load_line(lab::RunResult{load, {}});
    CHECK(line.find("waiting d") == std::string::npos);
    CHECK(line.find("Source") == std::string::npos);
}

TEST_CASE("a stray hidden folder does not stop later runs; a failed write leaves nothing", "[unit]") {
    test::ScratchDir dir;
    lab::RunResult run = made_up_run(shipped().front());
    fs::create_directories(dir.path / run.scenario.name / ".x.partial-old");  // not ours: left alone
    fs::create_directories(dir.path / run.scenario.name / ".2020-01-01T00-00-00Z.partial-999999999");  // gone: cleared
    CHECK_NOTHROW(lab::write_results(run, dir.path));
    CHECK(fs::exists(dir.path / run.scenario.name / ".x.partial-old"));
    CHECK_FALSE(fs::exists(dir.path / run.scenario.name / ".2020-01-01T00-00-00Z.partial-999999999"));

    // A full disk, even for root: a file size limit makes the writes fail (EFBIG) part way.
    fs::path full = dir.path / "full";
    pid_t child = fork();
    if (child == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit{2000, 2000};
        setrlimit(RLIMIT_FSIZE, &limit);
        bool threw = false;
        try {
            lab::write_results(run, full);
        } catch (const std::exception&) {
            threw = true;
        }
        _exit(threw ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);  // the write failed, and said so
    int left = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(full / run.scenario.name)) ++left;
    CHECK(left == 0);  // and left no folder, whole or partial
}

TEST_CASE("scenario files refuse numbers that are not finite", "[unit]") {
    test::ScratchDir dir;
    const std::string base = "name = \"lesson\"\ntitle = \"t\"\nsource = \"s\"\nteaching = \"x\"\n";
    for (auto [load, config, key] : {std::tuple{"rate = nan", "", "load.rate"},
                                     std::tuple{"rate = inf", "", "load.rate"},
                                     std::tuple{"rate = 0.5\nduration_ms = 100", "", "load.rate"},
                                     std::tuple{"", "document_s = inf", "document_s"},
                                     std::tuple{"", "document_s = nan", "document_s"}}) {
        auto file = dir.write("lesson.toml", base + "[load]\n" + load + "\n[[configuration]]\nlabel = \"a\"\nmode = \"async-sleep\"\n" + config + "\n");
        try {
            lab::load_scenario(file);
            FAIL("accepted " << load << config);
        } catch (const lab::ScenarioError& e) {
            CHECK(e.key.find(key) != std::string::npos);
        }
    }
}
