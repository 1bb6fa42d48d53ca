// A lesson's claims against its run: each [[expect]] holds or is contradicted by the figures the
// run measured, placeholders cite those figures, and the texts cite the documents truthfully.
#include <catch2/catch.hpp>

#include <regex>

#include "lab/report/claims.hpp"
#include "lab/figures/figure_value.hpp"
#include "lab/scenario/scenario.hpp"
#include "support.hpp"

namespace {

// Two configurations, as a blocked loop and an awaiting one would measure 10 × 100 ms.
lab::RunResult two_rows() {
    lab::RunResult run;
    run.scenario.load.requests = 10;
    run.scenario.load.delay_ms = 100;
    for (int i = 1; i <= 2; ++i) {
        lab::ConfigurationResult r;
        r.configuration.label = i == 1 ? "blocked" : "awaiting";
        r.configuration.number = i;
        r.model.formula = i == 1 ? "N·d" : "d";
        r.model_s = i == 1 ? 1.0 : 0.1;
        r.makespan.median = i == 1 ? 1.004 : 0.101;
        lab::Batch b;
        lab::RequestRecord probe;
        probe.intended_us = probe.send_us = 0;
        probe.end_us = i == 1 ? 990'000 : 300;
        b.probes.push_back(probe);
        r.batches.emplace_back(b);
        run.configurations.push_back(r);
    }
    lab::measure_figures(run);
    return run;
}

lab::Expectation expect(int row, const std::string& figure, std::optional<double> at_least,
                        std::optional<double> at_most, const std::string& relative_to = "",
                        int relative_row = 0) {
    return {row,          *lab::named<lab::Figure>(figure),     at_least, at_most, relative_to,
            relative_row, "claim of row " + std::to_string(row)};
}

}  // namespace

TEST_CASE("an expectation holds or is contradicted by the run's own figures", "[unit]") {
    lab::RunResult run = two_rows();
    run.scenario.expectations = {
        expect(1, "measured", 0.9, std::nullopt, "model"),  // 1.004 ≥ 0.9 × 1.0: holds
        expect(2, "measured", std::nullopt, 2, "d"),  // 0.101 ≤ 2 × 0.1: holds
        expect(2, "probe_max", std::nullopt, 50),  // 0.3 ms ≤ 50 ms: holds
        expect(1, "probe_max", std::nullopt, 50),  // 990 ms ≤ 50 ms: contradicted
        expect(1, "measured", 5, std::nullopt, "row", 2),  // 1.004 ≥ 5 × 0.101: holds
        expect(2, "peak_rss", std::nullopt, 100),  // not measured
        expect(3, "measured", 1, std::nullopt),  // no such row ran: left out
        expect(1, "measured", std::nullopt, 2, "d"),  // 1.004 ≤ 2 × 0.1: contradicted
        expect(2, "measured", 5, std::nullopt, "row", 1),  // 0.101 ≥ 5 × 1.004: contradicted
    };
    auto checked = lab::check_claims(run);
    REQUIRE(checked.size() == 8);
    using O = lab::CheckedClaim::Outcome;
    CHECK(checked[0].outcome == O::holds);
    CHECK(checked[1].outcome == O::holds);
    CHECK(checked[2].outcome == O::holds);
    CHECK(checked[3].outcome == O::contradicted);
    // Under a ✗, the line says what was measured and what was expected, with a relation that is
    // true of them, never the one that failed ("990.0 ms ≤ 50.0 ms").
    CHECK(checked[3].evidence == "blocked: probe_max 990.0 ms, more than the 50.0 ms expected");
    CHECK(checked[6].outcome == O::contradicted);
    CHECK(checked[6].evidence ==
          "blocked: measured 1.004 s, more than the 0.200 s expected (at most 2.00 × d)");
    CHECK(checked[7].outcome == O::contradicted);
    CHECK(checked[7].evidence ==
          "awaiting: measured 0.101 s, less than the 5.020 s expected (at least 5.00 × “blocked”)");
    CHECK(checked[1].evidence ==
          "awaiting: measured 0.101 s ≤ 2.00 × d (0.200 s)");  // a bound kept: the relation
    CHECK(checked[4].outcome == O::holds);
    CHECK(checked[5].outcome == O::not_measured);

    std::string text = lab::claims_text(checked, 60, false);
    CHECK(text.find("✓ claim of row 1") != std::string::npos);
    CHECK(text.find("✗ claim of row 1") != std::string::npos);
    CHECK(text.find("contradicts") != std::string::npos);
    CHECK(test::longest_line(text) <= 60);
}

// A busy machine is not a false text: a computing row's figure that broke its bound while
// other processes took 0.4 of a core is not judged, and says what they took, whichever way it
// broke (others change how computing threads share the GIL too); on a quiet machine, a ✗.
TEST_CASE("a computing row's claim on a machine others kept busy is not judged, never ✗",
          "[unit]") {
    lab::RunResult run = two_rows();
    run.scenario.load.path = "/cpu";
    for (auto& r : run.configurations) {
        r.batches[0].number = 3;
        r.makespan.median = r.model_s * 1.5;  // outside the default tolerance of its model, slower
        // 1 s of batch: the lab and its servers 1.2 s of CPU, the machine 1.6 s: others 0.4 of a
        // core.
        r.batches[0].cpu =
            lab::BatchCpu{.wall_s = 1.0, .own_s = 1.2, .machine_s = 1.6, .steal_s = 0.0};
    }
    lab::measure_figures(run);  // as measured, with the load it ran
    run.scenario.expectations = {
        expect(1, "probe_max", std::nullopt, 50),  // 990 ms ≤ 50 ms: broken, slower
        expect(2, "probe_max", 10, std::nullopt),  // 0.3 ms ≥ 10 ms: broken, smaller
        expect(2, "measured", 5, std::nullopt, "row", 1),  // beside a row that was slowed
    };
    using O = lab::CheckedClaim::Outcome;
    auto busy = lab::check_claims(run);
    REQUIRE(busy.size() == 3);
    CHECK(busy[0].outcome == O::not_judged);
    CHECK(busy[0].evidence ==
          "blocked: probe_max 990.0 ms, more than the 50.0 ms expected: not judged: other "
          "processes used "
          "0.4 of a core during batch 3, and this row computes");
    CHECK(busy[1].outcome == O::not_judged);
    CHECK(busy[2].outcome == O::not_judged);
    std::string text = lab::claims_text(busy, 100, false);
    CHECK(text.find("– claim of row 1") != std::string::npos);
    CHECK(text.find("✗ claim of row 1") == std::string::npos);
    auto gaps = lab::model_gaps(run);
    REQUIRE(gaps.size() == 2);
    CHECK(gaps[0].not_judged == "other processes used 0.4 of a core during batch 3");
    // A count of the work done, read once no job waited, is no busy machine's doing: still ✗
    // (heavy-on-queue's route that enqueues nothing; a student told "check again" would wait for
    // nothing).
    run.configurations[0].batches[0].jobs_done = 0;
    lab::measure_figures(run);
    run.scenario.expectations.push_back(expect(1, "jobs_done", 1, std::nullopt, "N"));
    CHECK(lab::check_claims(run)[3].outcome == O::contradicted);
    CHECK(lab::check_claims(run)[0].outcome == O::not_judged);  // the row is still busy
    run.scenario.expectations.pop_back();

    // Steal time is taken too: a hypervisor running other guests on this one's CPUs.
    for (auto& r : run.configurations)
        r.batches[0].cpu =
            lab::BatchCpu{.wall_s = 1.0, .own_s = 1.2, .machine_s = 1.2, .steal_s = 0.5};
    CHECK(lab::check_claims(run)[0].outcome == O::not_judged);
    // Quiet (others 0.05 of a core), or a row that waits rather than computes: judged.
    for (auto& r : run.configurations)
        r.batches[0].cpu =
            lab::BatchCpu{.wall_s = 1.0, .own_s = 1.2, .machine_s = 1.25, .steal_s = 0.0};
    CHECK(lab::check_claims(run)[0].outcome == O::contradicted);
    CHECK(lab::model_gaps(run)[0].not_judged.empty());
    for (auto& r : run.configurations)
        r.batches[0].cpu =
            lab::BatchCpu{.wall_s = 1.0, .own_s = 1.2, .machine_s = 1.6, .steal_s = 0.0};
    run.scenario.load.path = "/delay";
    lab::measure_figures(run);
    CHECK(lab::check_claims(run)[0].outcome == O::contradicted);
    // A student's app needs the cores for its own Python, though its requests wait: a batch slower
    // than its bound is not judged where the waves its server counted fit the bound (10 answered
    // together: 1 wave, of at most 2), and is ✗ where they do not (one at a time: 10 waves).
    run.configurations[0].configuration.server = lab::Server::app;
    run.scenario.load.concurrency = 10;
    for (int i = 0; i < 10; ++i)
        run.configurations[0].batches[0].requests.push_back({.send_us = 0, .end_us = 1'004'000});
    lab::measure_figures(run);
    run.scenario.expectations = {expect(1, "measured", std::nullopt, 2, "d")};
    CHECK(lab::check_claims(run)[0].outcome == O::not_judged);
    CHECK(lab::check_claims(run)[0].evidence.ends_with(
        "other processes used 0.4 of a core during batch 3, and your app's requests ran in waves "
        "that fit the bound"));
    for (int i = 0; i < 10; ++i)
        run.configurations[0].batches[0].requests[i].end_us = 100'400 * (i + 1);
    CHECK(lab::check_claims(run)[0].outcome == O::contradicted);
    // Its loop held longer than the bound while each request's own code held it 2 ms (the probe's
    // ledger): the machine's, not judged; its own code holding it 148 ms a request: ✗.
    lab::ServerAccount& server = run.configurations[0].batches[0].server;
    server.blocked_ms = 60, server.held_per_request_ms = 2;
    lab::measure_figures(run);
    run.scenario.expectations = {expect(1, "loop_blocked", std::nullopt, 0.5, "d")};
    CHECK(lab::check_claims(run)[0].outcome == O::not_judged);
    CHECK(lab::check_claims(run)[0].evidence.ends_with(
        "your app's own code held the loop 2.0 ms a request (the median), within the bound"));
    server.held_per_request_ms = 148;
    CHECK(lab::check_claims(run)[0].outcome == O::contradicted);
}

// The † says which limit sets the floor: at C = 1 the client's rounds, not the wait alone.
TEST_CASE("the physical floor's reason names what sets it", "[unit]") {
    lab::Load load;
    load.requests = 10, load.delay_ms = 100, load.path = "/delay";
    load.concurrency = 1;
    CHECK(lab::physical_floor_s(lab::workload_of(load), 2) == Approx(1.0));
    CHECK(lab::physical_floor_reason(lab::workload_of(load), 2)
              .find("C = 1 at a time, so its N = 10 requests take 10 rounds of d") !=
          std::string::npos);
    load.concurrency = 10;
    CHECK(lab::physical_floor_reason(lab::workload_of(load), 2) ==
          "every request waits d itself, so no server can answer them all sooner");
    load.path = "/cpu";
    CHECK(lab::physical_floor_reason(lab::workload_of(load), 2).find("cores") != std::string::npos);
}

// --with-fastapi: a claim is held against the row's real twin as well, and where the lab's C++
// row and the real stack disagree, that is said (the C++ row is kinder than uvicorn here).
TEST_CASE("a claim is judged on the row's real FastAPI twin too, and a disagreement is said",
          "[unit]") {
    lab::RunResult run = two_rows();
    lab::ConfigurationResult twin = run.configurations[1];  // the awaiting row's, on uvicorn
    twin.configuration.server = lab::Server::fastapi;
    twin.configuration.label = "awaiting [FastAPI]";
    twin.batches[0].probes[0].end_us = 495'000;
    run.configurations.push_back(twin);
    lab::measure_figures(run);
    run.scenario.expectations = {expect(2, "probe_max", std::nullopt, 50),
                                 expect(1, "probe_max", std::nullopt, 50)};
    auto checked = lab::check_claims(run);
    REQUIRE(checked.size() == 2);
    using O = lab::CheckedClaim::Outcome;
    CHECK(checked[0].outcome == O::holds);
    REQUIRE(checked[0].real);
    CHECK(checked[0].real->outcome == O::contradicted);
    CHECK(checked[0].real->evidence.find("awaiting [FastAPI]: probe_max 495.0 ms") == 0);
    CHECK(lab::stack_disagreement(checked[0]) ==
          "holds for the lab's C++ row, not for the real FastAPI stack");
    CHECK_FALSE(checked[1].real);  // the blocked row has no twin in this run
    std::string text = lab::claims_text(checked, 100, false);
    CHECK(text.find("✗ on real FastAPI: awaiting [FastAPI]") != std::string::npos);
    CHECK(text.find("→ holds for the lab's C++ row, not for the real FastAPI stack") !=
          std::string::npos);
}

TEST_CASE("a text cites the run's figures through placeholders", "[unit]") {
    lab::RunResult run = two_rows();
    CHECK(lab::with_figures("took {measured:1}, not {measured:2}; /health {probe_max:1}", &run) ==
          "took 1.004 s, not 0.101 s; /health 990.0 ms");
    CHECK(lab::with_figures("before the run: {measured:2}", nullptr) ==
          "before the run: [measured of row 2]");
    CHECK(lab::with_figures("a label's {d} and {T} stay", &run) == "a label's {d} and {T} stay");
}

TEST_CASE("each kind of bad expectation names its key and reason", "[unit]") {
    const std::string base = R"(
name = "lesson"
title = "t"
source = "s"
teaching = "x"
[[configuration]]
label = "a"
mode = "async-sleep"
[[expect]]
)";
    struct Case {
        std::string body, key, reason;
    };
    std::vector<Case> cases{
        {"figure = \"measured\"\nat_most = 1\nclaim = \"c\"", "expect[0].row", "required"},
        {"row = 2\nfigure = \"measured\"\nat_most = 1\nclaim = \"c\"", "expect[0].row",
         "between 1 and 1"},
        {"row = 1\nfigure = \"speed\"\nat_most = 1\nclaim = \"c\"", "expect[0].figure",
         "not one of"},
        {"row = 1\nfigure = \"measured\"\nclaim = \"c\"", "expect[0].at_least",
         "needs at_least, at_most"},
        {"row = 1\nfigure = \"measured\"\nat_most = 1\nrelative_to = \"speed\"\nclaim = \"c\"",
         "expect[0].relative_to", "model, K, share, d"},
        {"row = 1\nfigure = \"measured\"\nat_most = 1\nrelative_to = 3\nclaim = \"c\"",
         "expect[0].relative_to", "names no configuration"},
        {"row = 1\nfigure = \"measured\"\nat_most = 1", "expect[0].claim", "required"},
    };
    for (const auto& c : cases) {
        INFO(c.body);
        test::ScratchDir dir;
        try {
            lab::load_scenario(dir.write("lesson.toml", base + c.body));
            FAIL("accepted");
        } catch (const lab::ScenarioError& e) {
            CHECK(e.key == c.key);
            CHECK(e.reason.find(c.reason) != std::string::npos);
        }
    }
}

// Every shipped lesson declares the claims of its text, and cites only figures and rows it has.
TEST_CASE("every shipped scenario checks its text's claims and cites only what it measures",
          "[unit]") {
    std::regex placeholder(R"(\{([a-z_0-9]+):([0-9]+)\})");
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        lab::Scenario s = lab::load_scenario(file);
        INFO(s.name);
        CHECK(s.expectations.size() >= 2);
        for (auto it = std::sregex_iterator(s.teaching.begin(), s.teaching.end(), placeholder);
             it != std::sregex_iterator(); ++it) {
            INFO((*it)[0].str());
            CHECK(lab::named<lab::Figure>((*it)[1].str()).has_value());
            CHECK(std::stoul((*it)[2]) <= s.configurations.size());
        }
        // `lab run` prints the first paragraph before anything is measured: it can cite nothing.
        std::string first =
            s.teaching.substr(0, s.teaching.find("\n\n", s.teaching.find_first_not_of(" \n")));
        CHECK_FALSE(std::regex_search(first, placeholder));
    }
}

// A document's figure the lab quotes must be in that document; a source names its sections.
TEST_CASE("every quoted document figure is in the document the scenario cites", "[unit]") {
    const auto docs = std::filesystem::path(LAB_SOURCE_DIR) / ".." / "shared" / "docs";
    if (!std::filesystem::is_directory(docs)) {
        WARN("no " << docs.string() << " beside the checkout: the citations are not checked here");
        return;
    }
    std::regex file_name(R"(\d{3}_[0-9a-f]{16}\.txt)"), number(R"(\d+(\.\d+)?)");
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        lab::Scenario s = lab::load_scenario(file);
        INFO(s.name << ": " << s.source);
        std::smatch cited;
        REQUIRE(std::regex_search(s.source, cited, file_name));
        std::string document = test::read_file(docs / cited.str());
        REQUIRE_FALSE(document.empty());
        // Each citation says where in its document: "Part 5", "§3", or a heading in parentheses.
        for (auto it = std::sregex_iterator(s.source.begin(), s.source.end(), file_name);
             it != std::sregex_iterator(); ++it) {
            std::string after =
                s.source.substr(static_cast<std::size_t>(it->position() + it->length()), 12);
            CHECK(after.find_first_not_of(" ,;") != std::string::npos);
        }
        for (const auto& c : s.configurations) {
            if (!c.document_s) continue;
            INFO(c.label << ": " << c.document_text);
            std::string text = c.document_text;
            for (auto n = std::sregex_iterator(text.begin(), text.end(), number);
                 n != std::sregex_iterator(); ++n)
                CHECK(document.find(n->str()) != std::string::npos);
        }
    }
}
