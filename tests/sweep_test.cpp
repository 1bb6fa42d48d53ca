// Sweeps: one option at several values, each a configuration of its own, in the table, the
// curves, the claims and summary.json.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "lab/run/runner.hpp"
#include "lab/scenario/sweep.hpp"
#include "support.hpp"

namespace {

lab::Scenario shipped(const std::string& name) {
    return lab::load_scenario(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios" /
                              (name + ".toml"));
}

std::vector<std::string> labels(const lab::Scenario& s) {
    std::vector<std::string> out;
    for (const auto& c : s.configurations) out.push_back(c.label);
    return out;
}

}  // namespace

TEST_CASE("a sweep makes a point per value, labelled with the value that runs", "[unit]") {
    lab::Overrides o;
    o.sweep = lab::Sweep{"concurrency", {10, 1, 5}};
    auto s = lab::apply(shipped("blocking-async"), o);
    CHECK(labels(s) == std::vector<std::string>{"async def + time.sleep(0.1), C = 1",
                                                "async def + time.sleep(0.1), C = 5",
                                                "async def + time.sleep(0.1), C = 10",
                                                "async def + await asyncio.sleep(0.1), C = 1",
                                                "async def + await asyncio.sleep(0.1), C = 5",
                                                "async def + await asyncio.sleep(0.1), C = 10"});
    CHECK(s.configurations[1].series == "async def + time.sleep(0.1)");
    CHECK(*s.configurations[1].sweep_value == 5);
    CHECK(lab::load_of(s.load, s.configurations[1]).concurrency == 5);
    REQUIRE(s.sweep);
    CHECK(s.sweep->values == std::vector<int>{1, 5, 10});  // left to right
    // The claims are about the scenario's own C (10): checked at that point, each row's home.
    for (const auto& c : s.configurations) CHECK(c.sweep_home == 10);
    for (const auto& e : s.expectations) CHECK_FALSE(e.at.has_value());
}

TEST_CASE(
    "a sweep of T swaps the value into the label, and measures a configuration it makes equal once",
    "[unit]") {
    lab::Overrides o;
    o.sweep = lab::Sweep{"threads", {10, 100}};
    auto s = lab::apply(shipped("thread-pool"), o);
    REQUIRE(s.configurations.size() == 2);  // 40 and 100 threads are one series once T is swept
    CHECK(s.configurations[0].label == "def route, 10 threads");
    CHECK(s.configurations[0].series == "def route, T threads");
    CHECK(s.configurations[1].threads == 100);
    REQUIRE(s.notices.size() == 1);
    CHECK(s.notices[0] ==
          "row 2 (“def route, T threads” at T = 100) is row 1's curve at that T: measured once, "
          "there");
    // The text still names the second row's own T, which the sweep measured on the first's curve.
    CHECK(s.teaching.find("With 100 threads every request gets a thread at once") !=
          std::string::npos);
    for (const std::string* text : {&s.title, &s.teaching})
        CHECK(text->find("{T") == std::string::npos);
    for (const auto& e : s.expectations) CHECK(e.claim.find("{T") == std::string::npos);
}

TEST_CASE("a sweep that cannot run says why", "[unit]") {
    CHECK(lab::sweep_problem({"threads", {10}})->find("2 to 12 values") != std::string::npos);
    CHECK(lab::sweep_problem({"threads", {10, 10}})->find("given twice") != std::string::npos);
    CHECK(lab::sweep_problem({"threads", {0, 10}})->find("between 1 and") != std::string::npos);
    CHECK(lab::sweep_problem({"repeat", {1, 2}})->find("cannot be swept") != std::string::npos);
    CHECK_FALSE(lab::sweep_problem({"delay", {0, 50, 100}}));
    // One value for the file's swept option measures that value alone.
    lab::Overrides one;
    one.concurrency = 5;
    auto s = lab::apply(shipped("sweep"), one);
    CHECK_FALSE(s.sweep);
    CHECK(s.configurations.size() == 4);
    CHECK(lab::apply(shipped("sweep"), {}).configurations.size() == 4 * 5);
}

TEST_CASE("lab run takes a list for one option and refuses two", "[e2e][untimed]") {
    auto both = test::run_lab("run blocking-async --concurrency 1,2 --delay 10,20");
    CHECK(both.exit_code == 2);
    CHECK(both.output.find("sweeps one option") != std::string::npos);
    auto twice = test::run_lab("run blocking-async --concurrency 2,2");
    CHECK(twice.exit_code == 2);
    CHECK(twice.output.find("given twice") != std::string::npos);
}

// The test: summary.json holds every point, and each chart of report.html has one line
// per configuration and one for its model.
TEST_CASE(
    "a swept run keeps every point in summary.json and draws a line per configuration and its "
    "model",
    "[e2e][untimed]") {
    test::ScratchDir out;
    auto run = test::run_lab(
        "run blocking-async --concurrency 1,5,10 --delay 20 --repeat 1 --quiet --out " +
        out.path.string());
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    // The terminal keeps the sweep's table, a row a point; the curves are report.html's
    CHECK(run.output.find("The sweep's curves and each point's timeline are in report.html.") !=
          std::string::npos);
    auto folder = std::filesystem::directory_iterator(out.path / "blocking-async")->path();
    auto summary = nlohmann::json::parse(test::read_file(folder / "summary.json"));
    CHECK(summary["sweep"]["option"] == "concurrency");
    CHECK(summary["sweep"]["values"] == nlohmann::json::array({1, 5, 10}));
    REQUIRE(summary["configurations"].size() == 6);
    std::multiset<int> points;
    for (const auto& c : summary["configurations"]) {
        points.insert(c["sweep_value"].get<int>());
        CHECK(c["concurrency"] == c["sweep_value"]);
        CHECK(c["measured_s"]["median"].get<double>() > 0);
    }
    CHECK(points == std::multiset<int>{1, 1, 5, 5, 10, 10});
    std::string html = test::read_file(folder / "report.html");
    std::smatch svg;
    REQUIRE(std::regex_search(html, svg,
                              std::regex("<svg class=\"sweep\"[^]*?</svg>")));  // throughput, first
    std::string chart = svg.str();
    auto count = [&](const std::string& what) {
        std::size_t n = 0;
        for (auto at = chart.find(what); at != std::string::npos; at = chart.find(what, at + 1))
            ++n;
        return n;
    };
    CHECK(count("class=\"measured\"") == 2);
    CHECK(count("class=\"model\"") == 2);
    CHECK(count("<circle") == 6);
}

TEST_CASE("a row merged into another's series keeps its claims, at its own value", "[unit]") {
    lab::Overrides o;
    o.sweep = lab::Sweep{"threads", {10, 40, 100}};
    auto s = lab::apply(shipped("thread-pool"), o);
    REQUIRE(s.configurations.size() == 3);
    int at_100 = 0;
    for (const auto& e : s.expectations) {
        CHECK(e.row == 1);  // row 2 (100 threads) is row 1's series now
        if (e.at == 100) ++at_100;
    }
    CHECK(at_100 >= 1);
    // Rows that never differed in the swept option are not merged (nor said to be).
    lab::Overrides c;
    c.sweep = lab::Sweep{"concurrency", {1, 10}};
    const auto rows = shipped("experiment-log").configurations.size();
    auto log = lab::apply(shipped("experiment-log"), c);
    CHECK(log.notices.empty());
    CHECK(log.configurations.size() == rows * 2);
}

TEST_CASE(
    "the file's claims at a value of its sweep are checked when a run is at that value, and said "
    "to be elsewhere otherwise",
    "[unit]") {
    lab::Overrides at_20;
    at_20.concurrency = 20;  // one value: no sweep; the claims about C = 20 apply as they are
    int checked = 0, about_c1 = 0;
    for (const auto& e : lab::apply(shipped("sweep"), at_20).expectations) {
        if (e.not_here.empty() && !e.at) ++checked;
        if (e.not_here.find("C = 1,") != std::string::npos)
            ++about_c1;  // "it is about C = 1, this run has C = 20"
    }
    CHECK(checked == 5);
    CHECK(about_c1 == 1);
    lab::Overrides n;
    n.sweep = lab::Sweep{"requests", {10, 20}};  // another option swept, at C = 10
    int elsewhere = 0;
    for (const auto& e : lab::apply(shipped("sweep"), n).expectations)
        elsewhere += !e.not_here.empty();
    CHECK(elsewhere == 6);
    // An open loop cannot be swept.
    lab::Overrides open;
    open.sweep = lab::Sweep{"concurrency", {1, 2}};
    CHECK_THROWS_AS(lab::apply(shipped("stall"), open), std::invalid_argument);
}

TEST_CASE("a sweep's option may come before the scenario's name", "[e2e][untimed]") {
    test::ScratchDir out;
    auto run =
        test::run_lab("run --threads 10 thread-pool --only 1 --delay 10 --repeat 1 --quiet --out " +
                      out.path.string());
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.find("10 threads") != std::string::npos);
    auto bad = test::run_lab("run blocking-async --concurrency 1,x");
    CHECK(bad.exit_code == 2);
    CHECK(bad.output.find("'x' is not a whole number") != std::string::npos);
}
