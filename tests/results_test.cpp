#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "lab/figures/figure_value.hpp"
#include "lab/modes/modes.hpp"
#include "lab/report/report.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/schema.hpp"
#include "lab/results/writer.hpp"
#include "support.hpp"

namespace {

lab::RunResult small_run() {
    lab::RunResult run;
    run.scenario.name = "lesson";
    run.scenario.title = "A title";
    run.scenario.load.requests = 2;
    run.scenario.load.concurrency = 2;
    run.scenario.load.delay_ms = 100;
    run.scenario.load.repeat = 1;
    lab::ConfigurationResult c;
    c.configuration.label = "async def, \"quoted\"";
    c.configuration.mode = "async-sleep";
    c.configuration.document_s = 0.03;
    c.model = lab::model_of(lab::ServerShape{"async-sleep"});
    c.model_s = 0.1;
    lab::Batch b;
    b.number = 1;
    for (int i = 0; i < 2; ++i) {
        lab::RequestRecord r;
        r.batch = 1;
        r.index = i;
        r.intended_us = r.send_us = 0;
        r.end_us = 100'500;
        r.status = 200;
        b.requests.push_back(r);
    }
    b.requests[1].error = lab::ErrorKind::timeout;
    b.requests[1].status = 0;
    c.batches.emplace_back(b).stats = lab::summarize(b);
    c.makespan = {0.1005, 0.1005, 0.1005};
    c.verdict = {lab::Served::concurrent};
    run.configurations.push_back(c);
    lab::measure_figures(run);  // as a run is measured once it ends
    return run;
}

}  // namespace

TEST_CASE("requests.csv has one row per request, failed ones included", "[unit]") {
    std::string csv = lab::requests_csv(small_run());
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
    CHECK(csv.find("configuration_index,configuration,mode,batch,kind,index,") == 0);
    CHECK(csv.find("\"async def, \"\"quoted\"\"\"") != std::string::npos);
    CHECK(csv.find(",timeout,") != std::string::npos);
}

TEST_CASE("summary.json carries the table's numbers and the floor", "[unit]") {
    auto json = lab::summary_json(small_run());
    CHECK(json["scenario"] == "lesson");
    CHECK(json["physical_floor_s"] == 0.1);
    auto& config = json["configurations"][0];
    CHECK(config["measured_s"]["median"] == 0.1005);
    CHECK(config["document_below_physical_floor"] == true);
    CHECK(config["batches"][0]["failed"] == 1);
}

TEST_CASE("results are written whole and never overwrite a run", "[unit]") {
    test::ScratchDir dir;
    auto first = lab::write_results(small_run(), dir.path);
    auto second = lab::write_results(small_run(), dir.path);
    CHECK(first != second);
    for (const auto& run : {first, second}) {
        CHECK(std::filesystem::exists(run / "requests.csv"));
        auto summary = nlohmann::json::parse(std::ifstream(run / "summary.json"));
        CHECK(summary["machine"]["cores"].get<int>() >= 1);
    }
    int entries = 0;  // no temporary folders left behind
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path / "lesson"))
        ++entries;
    CHECK(entries == 2);
}

// Twelve runs in a row, most in one second (T, T-002 … T-012): `lab diff --last` and
// `lab exercise check`'s "your change:" read the newest by name, so names must sort as the runs
// were made (with T-2 and T-10, the tenth run of a second sorted before the second).
TEST_CASE("a second's runs are named so that they sort in the order they were made", "[unit]") {
    test::ScratchDir dir;
    std::vector<std::filesystem::path> made;
    auto no_files = [](const std::string&) { return std::vector<lab::RenderedFile>{}; };
    for (int i = 0; i < 12; ++i)
        made.push_back(lab::write_run_folder(dir.path, "lesson", no_files));
    CHECK(lab::newest_runs(dir.path / "lesson", 12).size() == 0);  // (no summary.json: not runs)
    for (const auto& run : made) std::ofstream(run / "summary.json") << "{}";
    CHECK(lab::newest_runs(dir.path / "lesson", 12) == made);
    CHECK(lab::newest_runs(dir.path / "lesson", 2) ==
          std::vector<std::filesystem::path>{made[10], made[11]});
}

TEST_CASE("the table marks a document figure below the physical floor", "[unit]") {
    std::ostringstream out;
    lab::print_report(out, small_run(), lab::TextStyle::terminal);
    CHECK(out.str().find("0.03 s †") != std::string::npos);
    CHECK(out.str().find("below the physical floor") != std::string::npos);
    std::ostringstream md;
    lab::print_report(md, small_run(), lab::TextStyle::markdown);
    CHECK(md.str().find("| configuration") != std::string::npos);
}
