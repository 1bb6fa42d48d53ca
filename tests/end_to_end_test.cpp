// `lab` as a user runs it: the command line, the table, the files, the exit codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "lab/run/server_process.hpp"
#include "support.hpp"

TEST_CASE("lab run blocking-async prints the table and writes both files", "[e2e]") {
    test::ScratchDir out;
    auto o = test::run_lab("run blocking-async --delay 20 --repeat 1 --quiet --out " + out.path.string());
    INFO(o.output);
    REQUIRE(o.exit_code == 0);
    CHECK(o.output.find("measured (median, min–max)") != std::string::npos);
    CHECK(o.output.find("blocking-in-loop") != std::string::npos);
    CHECK(o.output.find("async-sleep") != std::string::npos);
    CHECK(o.output.find("█") != std::string::npos);  // the timelines
    auto runs = std::filesystem::directory_iterator(out.path / "blocking-async");
    auto run = runs->path();
    CHECK(std::filesystem::exists(run / "requests.csv"));
    auto summary = nlohmann::json::parse(std::ifstream(run / "summary.json"));
    CHECK(summary["load"]["delay_ms"] == 20);
    CHECK(summary["configurations"].size() == 2);
}

TEST_CASE("lab explains usage mistakes with exit code 2", "[e2e]") {
    auto unknown = test::run_lab("run blocking-asnyc");
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("did you mean 'blocking-async'") != std::string::npos);

    test::ScratchDir dir;
    auto bad = dir.write("broken.toml", "name = \"broken\"\ntitle = 3\n");
    auto broken = test::run_lab("run " + bad.string());
    CHECK(broken.exit_code == 2);
    CHECK(broken.output.find("broken.toml: title: must be a string") != std::string::npos);

    CHECK(test::run_lab("run blocking-async --delay -3").exit_code == 2);
    CHECK(test::run_lab("serve --mode warp-speed").exit_code == 2);
}

TEST_CASE("lab --version, list and show answer", "[e2e]") {
    CHECK(test::run_lab("--version").output.find("lab ") == 0);
    auto list = test::run_lab("list");
    CHECK(list.exit_code == 0);
    CHECK(list.output.find("blocking-async") != std::string::npos);
    auto show = test::run_lab("show blocking-async");
    CHECK(show.exit_code == 0);
    CHECK(show.output.find("N·d") != std::string::npos);
}

TEST_CASE("every scenario runs to its table with small delays", "[e2e]") {
    test::ScratchDir out;
    for (const auto& file : std::filesystem::directory_iterator(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        std::string name = file.path().stem().string();
        INFO(name);
        auto o = test::run_lab("run " + name + " --delay 10 --repeat 1 --quiet --out " + out.path.string());
        INFO(o.output);
        CHECK(o.exit_code == 0);
        CHECK(o.output.find("configuration") != std::string::npos);
    }
}

namespace {

// The one folder a run wrote below `out/scenario`.
std::filesystem::path only_run(const std::filesystem::path& out, const std::string& scenario) {
    return std::filesystem::directory_iterator(out / scenario)->path();
}

// The printed table: what comes before the "results:" lines of `lab run`.
std::string table_part(const std::string& output) { return output.substr(0, output.find("results: ")); }

}  // namespace

TEST_CASE("lab report rebuilds a real run's table and page unchanged, closed and open loop", "[e2e]") {
    for (std::string args : {"run blocking-async --requests 4 --delay 20 --repeat 2", "run head-of-line --requests 4 --delay 50 --repeat 1"}) {
        INFO(args);
        test::ScratchDir out;
        auto ran = test::run_lab(args + " --quiet --out " + out.path.string());
        REQUIRE(ran.exit_code == 0);
        auto dir = only_run(out.path, args.substr(4, args.find(' ', 4) - 4));
        std::string page = test::read_file(dir / "report.html");
        auto reported = test::run_lab("report " + dir.string());
        CHECK(reported.exit_code == 0);
        CHECK(reported.output.substr(0, reported.output.find("report: ")) == table_part(ran.output));
        CHECK(reported.output.find("(unchanged)") != std::string::npos);
        CHECK(test::read_file(dir / "report.html") == page);
        CHECK_FALSE(std::filesystem::exists(dir / "report-rebuilt.html"));
    }
}

TEST_CASE("lab report never writes over a run's own page, and says why it cannot write", "[e2e]") {
    test::ScratchDir out;
    REQUIRE(test::run_lab("run blocking-async --requests 2 --delay 5 --repeat 1 --quiet --out " + out.path.string()).exit_code == 0);
    auto dir = only_run(out.path, "blocking-async");
    std::ofstream(dir / "report.html", std::ios::app) << "<!-- written by an older lab -->";
    std::string own = test::read_file(dir / "report.html");
    // A folder it may not write in (a file size limit: the same for root): exit 1, not usage.
    auto beside = test::run_lab("report " + dir.string());
    CHECK(beside.exit_code == 0);
    CHECK(test::read_file(dir / "report.html") == own);  // the run's own page, kept
    CHECK(std::filesystem::exists(dir / "report-rebuilt.html"));  // the rebuilt one beside it
    std::filesystem::remove(dir / "report-rebuilt.html");
    auto limit = std::system(("sh -c 'trap \"\" XFSZ; ulimit -f 0; exec " + std::string(LAB_BINARY) + " report " + dir.string() +
                              " >/dev/null 2>&1'").c_str());
    CHECK(WIFEXITED(limit));
    CHECK(WEXITSTATUS(limit) == 1);
    CHECK(test::read_file(dir / "report.html") == own);
}

TEST_CASE("lab report refuses a damaged folder with exit 2 and the reason", "[e2e]") {
    test::ScratchDir out;
    REQUIRE(test::run_lab("run blocking-async --requests 2 --delay 5 --repeat 1 --quiet --out " + out.path.string()).exit_code == 0);
    auto dir = only_run(out.path, "blocking-async");
    std::string csv = test::read_file(dir / "requests.csv");
    std::ofstream(dir / "requests.csv", std::ios::trunc) << csv.substr(0, csv.find('\n') + 1);  // the header only
    auto o = test::run_lab("report " + dir.string());
    CHECK(o.exit_code == 2);
    CHECK(o.output.find("requests.csv: has 0 batches of configuration 1") != std::string::npos);
}

TEST_CASE("a request path of lab load reaches the page as text, never as markup", "[e2e]") {
    test::ScratchDir out;
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/delay?ms=1&x=<script>alert(1)</script>";
    auto o = test::run_lab("load '" + url + "' --requests 4 --concurrency 2 --quiet --out " + out.path.string());
    INFO(o.output);
    auto dir = only_run(out.path, "load");
    std::string page = test::read_file(dir / "report.html");
    CHECK(page.find("<script>alert") == std::string::npos);
    CHECK(page.find("&lt;script&gt;alert(1)") != std::string::npos);
}

TEST_CASE("lab run --threads 10 says 10 threads in its labels; an unused option gets a notice", "[e2e]") {
    test::ScratchDir out;
    auto pool = test::run_lab("run thread-pool --threads 10 --only 2 --requests 4 --delay 5 --repeat 1 --quiet --out " + out.path.string());
    INFO(pool.output);
    CHECK(pool.exit_code == 0);
    CHECK(pool.output.find("def route, 10 threads") != std::string::npos);
    CHECK(pool.output.find("100 threads") == std::string::npos);
    CHECK(pool.output.find("AnyIO's default") == std::string::npos);  // --only 2: the first did not run
    auto blocking = test::run_lab("run blocking-async --threads 10 --requests 2 --delay 5 --repeat 1 --quiet --out " + out.path.string());
    CHECK(blocking.output.find("notice: --threads applies to thread-pool configurations") != std::string::npos);
    auto unknown = test::run_lab("run blocking-async --only nine --quiet --out " + out.path.string());
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("1: async def + time.sleep(0.1)") != std::string::npos);
}

TEST_CASE("lab report SCENARIO opens the newest run of that scenario", "[e2e]") {
    test::ScratchDir out;
    for (int i = 0; i < 2; ++i)
        REQUIRE(test::run_lab("run blocking-async --requests 2 --delay 5 --repeat 1 --quiet --out " + out.path.string()).exit_code == 0);
    std::vector<std::string> runs;
    for (const auto& e : std::filesystem::directory_iterator(out.path / "blocking-async")) runs.push_back(e.path().string());
    std::sort(runs.begin(), runs.end());
    auto o = test::run_lab("report " + (out.path / "blocking-async").string());
    CHECK(o.exit_code == 0);
    CHECK(o.output.find(runs.back()) != std::string::npos);  // "report: NEWEST/report.html (unchanged)"
    auto none = test::run_lab("report no-such-scenario-here");
    CHECK(none.exit_code == 2);
}
