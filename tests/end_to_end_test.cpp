// `lab` as a user runs it: the command line, the table, the files, the exit codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "lab/figures/figure_value.hpp"
#include "lab/report/timeline.hpp"
#include "lab/results/reader.hpp"
#include "lab/run/server_process.hpp"
#include "lab/server/loop_monitor.hpp"
#include "support.hpp"

TEST_CASE("lab run blocking-async prints the table and writes both files", "[e2e][untimed]") {
    test::ScratchDir out;
    auto o = test::run_lab("run blocking-async --delay 20 --repeat 1 --quiet --out " +
                           out.path.string());
    INFO(o.output);
    REQUIRE(o.exit_code == 0);
    CHECK(o.output.find("measured") !=
          std::string::npos);  // "measured (median, min–max)" with room, e.g. --wide
    CHECK(o.output.find("blocking-in-loop") != std::string::npos);
    CHECK(o.output.find("async-sleep") != std::string::npos);
    CHECK(o.output.find("█") != std::string::npos);  // the timelines
    auto runs = std::filesystem::directory_iterator(out.path / "blocking-async");
    auto run = runs->path();
    CHECK(std::filesystem::exists(run / "requests.csv"));
    auto summary = nlohmann::json::parse(std::ifstream(run / "summary.json"));
    CHECK(summary["load"]["delay_ms"] == 20);
    CHECK(summary["configurations"].size() == 2);
    // Its idle CPUs were kept awake while it measured where Linux allows it (root), and it says so.
    CHECK(summary["machine"]["idle_cpus_kept_awake"] == test::may_keep_cpus_awake());
}

TEST_CASE("lab explains usage mistakes with exit code 2", "[e2e][untimed]") {
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

TEST_CASE("lab --version, list and show answer", "[e2e][untimed]") {
    CHECK(test::run_lab("--version").output.find("lab ") == 0);
    auto list = test::run_lab("list");
    CHECK(list.exit_code == 0);
    CHECK(list.output.find("blocking-async") != std::string::npos);
    auto show = test::run_lab("show blocking-async");
    CHECK(show.exit_code == 0);
    CHECK(show.output.find("N·d") != std::string::npos);
}

// Every scenario runs (at COLUMNS=80) in the browser test, which draws each one's report.html.

TEST_CASE("lab run fits 80 columns, --wide keeps every column, and colour stays off a terminal",
          "[e2e]") {
    test::ScratchDir out;
    setenv("COLUMNS", "80", 1);
    auto narrow =
        test::run_lab("run blocking-async --delay 20 --repeat 1 --out " + out.path.string());
    auto wide = test::run_lab("run blocking-async --delay 20 --repeat 1 --quiet --wide --out " +
                              out.path.string());
    auto report = test::run_lab("report " + (out.path / "blocking-async").string());
    unsetenv("COLUMNS");
    REQUIRE(narrow.exit_code == 0);
    REQUIRE(wide.exit_code == 0);
    INFO(narrow.output);
    CHECK(test::longest_line(narrow.output.substr(0, narrow.output.find("results: "))) <= 80);
    CHECK(narrow.output.starts_with(
        "Both servers run"));  // the lesson's first paragraph, above the table
    CHECK(test::longest_line(report.output.substr(0, report.output.find("report: "))) <= 80);
    CHECK(test::longest_line(wide.output) > 80);  // today's layout, every column
    for (const char* column : {"mode", "loop blocked (longest)", "measured (median, min–max)"})
        CHECK(wide.output.find(column) != std::string::npos);
    CHECK(narrow.output.find("\033[") ==
          std::string::npos);  // stdout is a pipe here, not a terminal
    // The time it takes, said before it is spent, and each batch's line says how far along it is.
    CHECK(narrow.output.find("lab: this run takes about 1 s (as it took here,") !=
          std::string::npos);
    CHECK(std::regex_search(narrow.output,
                            std::regex(R"(batch 1/1 \([0-9]+\.[0-9] s of about 1 s\))")));
}

namespace {

// The printed table: what comes before the "results:" lines of `lab run`.
std::string table_part(const std::string& output) {
    return output.substr(0, output.find("results: "));
}

}  // namespace

TEST_CASE("lab report rebuilds a real run's table and page unchanged, with and without a bystander",
          "[e2e][untimed]") {
    for (std::string args : {"run blocking-async --requests 4 --delay 20 --repeat 2",
                             "run head-of-line --requests 4 --delay 50 --repeat 1"}) {
        INFO(args);
        test::ScratchDir out;
        auto ran = test::run_lab(args + " --quiet --out " + out.path.string());
        REQUIRE(ran.exit_code == 0);
        auto dir = test::newest_run(out.path, args.substr(4, args.find(' ', 4) - 4));
        std::string page = test::read_file(dir / "report.html");
        auto reported = test::run_lab("report " + dir.string());
        CHECK(reported.exit_code == 0);
        CHECK(reported.output.substr(0, reported.output.find("report: ")) ==
              table_part(ran.output));
        CHECK(reported.output.find("(unchanged)") != std::string::npos);
        CHECK(test::read_file(dir / "report.html") == page);
        CHECK_FALSE(std::filesystem::exists(dir / "report-rebuilt.html"));
    }
}

TEST_CASE("lab report never writes over a run's own page, and says why it cannot write",
          "[e2e][untimed]") {
    test::ScratchDir out;
    REQUIRE(test::run_lab("run blocking-async --requests 2 --delay 5 --repeat 1 --quiet --out " +
                          out.path.string())
                .exit_code == 0);
    auto dir = test::newest_run(out.path, "blocking-async");
    std::ofstream(dir / "report.html", std::ios::app) << "<!-- written by an older lab -->";
    std::string own = test::read_file(dir / "report.html");
    // A folder it may not write in (a file size limit: the same for root): exit 1, not usage.
    auto beside = test::run_lab("report " + dir.string());
    CHECK(beside.exit_code == 0);
    CHECK(test::read_file(dir / "report.html") == own);  // the run's own page, kept
    CHECK(std::filesystem::exists(dir / "report-rebuilt.html"));  // the rebuilt one beside it
    std::filesystem::remove(dir / "report-rebuilt.html");
    auto limit =
        std::system(("sh -c 'trap \"\" XFSZ; ulimit -f 0; exec " + std::string(LAB_BINARY) +
                     " report " + dir.string() + " >/dev/null 2>&1'")
                        .c_str());
    CHECK(WIFEXITED(limit));
    CHECK(WEXITSTATUS(limit) == 1);
    CHECK(test::read_file(dir / "report.html") == own);
}

TEST_CASE("lab report refuses a damaged folder with exit 2 and the reason", "[e2e][untimed]") {
    test::ScratchDir out;
    REQUIRE(test::run_lab("run blocking-async --requests 2 --delay 5 --repeat 1 --quiet --out " +
                          out.path.string())
                .exit_code == 0);
    auto dir = test::newest_run(out.path, "blocking-async");
    std::string csv = test::read_file(dir / "requests.csv");
    std::ofstream(dir / "requests.csv", std::ios::trunc)
        << csv.substr(0, csv.find('\n') + 1);  // the header only
    auto o = test::run_lab("report " + dir.string());
    CHECK(o.exit_code == 2);
    CHECK(o.output.find("requests.csv: has 0 batches of configuration 1") != std::string::npos);
}

TEST_CASE("a request path of lab load reaches the page as text, never as markup",
          "[e2e][untimed]") {
    test::ScratchDir out;
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    std::string url = "http://127.0.0.1:" + std::to_string(server.port()) +
                      "/delay?ms=1&x=<script>alert(1)</script>";
    auto o = test::run_lab("load '" + url + "' --requests 4 --concurrency 2 --quiet --out " +
                           out.path.string());
    INFO(o.output);
    auto dir = test::newest_run(out.path, "load");
    std::string page = test::read_file(dir / "report.html");
    CHECK(page.find("<script>alert") == std::string::npos);
    CHECK(page.find("&lt;script&gt;alert(1)") != std::string::npos);
}

TEST_CASE("lab run --threads 10 says 10 threads in its labels; an unused option gets a notice",
          "[e2e][untimed]") {
    test::ScratchDir out;
    auto pool = test::run_lab(
        "run thread-pool --threads 10 --only 2 --requests 4 --delay 5 --repeat 1 --quiet --out " +
        out.path.string());
    INFO(pool.output);
    CHECK(pool.exit_code == 0);
    // The labels and the table, before the text's claims (which speak of the scenario's 100
    // threads).
    std::string table = pool.output.substr(0, pool.output.find("What the lesson claims"));
    CHECK(table.find("def route, 10 threads") != std::string::npos);
    CHECK(table.find("100 threads") == std::string::npos);
    auto summary = nlohmann::json::parse(
        test::read_file(test::newest_run(out.path, "thread-pool") / "summary.json"));
    CHECK(summary["configurations"].size() == 1);  // --only 2: the first did not run
    auto blocking = test::run_lab(
        "run blocking-async --threads 10 --requests 2 --delay 5 --repeat 1 --quiet --out " +
        out.path.string());
    CHECK(blocking.output.find("notice: --threads applies to thread-pool configurations") !=
          std::string::npos);
    auto unknown =
        test::run_lab("run blocking-async --only nine --quiet --out " + out.path.string());
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.output.find("1: async def + time.sleep(0.1)") != std::string::npos);
}

TEST_CASE("lab report SCENARIO opens the newest run of that scenario", "[e2e][untimed]") {
    test::ScratchDir out;
    for (int i = 0; i < 2; ++i)
        REQUIRE(
            test::run_lab("run blocking-async --requests 2 --delay 5 --repeat 1 --quiet --out " +
                          out.path.string())
                .exit_code == 0);
    std::vector<std::string> runs;
    for (const auto& e : std::filesystem::directory_iterator(out.path / "blocking-async"))
        runs.push_back(e.path().string());
    std::sort(runs.begin(), runs.end());
    auto o = test::run_lab("report " + (out.path / "blocking-async").string());
    CHECK(o.exit_code == 0);
    CHECK(o.output.find(runs.back()) !=
          std::string::npos);  // "report: NEWEST/report.html (unchanged)"
    auto none = test::run_lab("report no-such-scenario-here");
    CHECK(none.exit_code == 2);
}

// `lab check` holds a scenario against its own text: a run that bears it out passes, and the
// same lesson made false by an option (one connection where the text has ten wait together)
// fails, naming the claim.
TEST_CASE("lab check passes a text its run bears out and fails one an option makes false",
          "[e2e]") {
    // (d = 100 ms: a sanitizer's build adds a few ms per batch, which must stay inside the 25 % a
    // claim allows beside its model; at d = 20 ms it did not)
    auto good = test::run_lab("check blocking-async --quick --delay 100");
    INFO(good.output);
    CHECK(good.exit_code == 0);
    CHECK(good.output.find("✓ blocking-async") != std::string::npos);

    auto bad = test::run_lab("check blocking-async --quick --delay 10 --concurrency 1");
    INFO(bad.output);
    CHECK(bad.exit_code == 1);
    CHECK(bad.output.find("✗ blocking-async") != std::string::npos);
    CHECK(bad.output.find("✗ In async-sleep all 10 wait together") != std::string::npos);

    // A number the text is written from ({T}, {waves}) changed: the text follows it, and holds
    // where the run meets the model (ten threads: ten waves of d).
    auto pool = test::run_lab("run thread-pool --threads 10 --delay 20 --repeat 1 --quiet");
    INFO(pool.output);
    CHECK(pool.exit_code == 0);
    CHECK(pool.output.find("100 blocking requests, 10 threads, 10 waves") != std::string::npos);
    CHECK(pool.output.find("✓ 100 requests on 10 threads take ceil(N/T) = 10 waves") !=
          std::string::npos);
    CHECK(pool.output.find("✗") == std::string::npos);

    auto unknown = test::run_lab("check no-such-lesson");
    CHECK(unknown.exit_code == 2);
}

TEST_CASE("lab run shows each claim with ✓ or ✗, and report.html lists them", "[e2e]") {
    test::ScratchDir out;
    auto run =
        test::run_lab("run blocking-async --delay 10 --repeat 1 --concurrency 1 --quiet --out " +
                      out.path.string());
    INFO(run.output);
    CHECK(run.exit_code == 0);  // the run worked; its text is what it contradicts
    CHECK(run.output.find("✓ In blocking-in-loop the handler sleeps") != std::string::npos);
    CHECK(run.output.find("✗ In async-sleep all 10 wait together") != std::string::npos);
    CHECK(run.output.find("this run contradicts") != std::string::npos);
    std::string page =
        test::read_file(test::newest_run(out.path, "blocking-async") / "report.html");
    CHECK(page.find("class=\"claim contradicted\"") != std::string::npos);
}

// The README's "Measured here" is generated from results folders, never typed.
TEST_CASE("lab report --measured makes the README's table from the newest run of each scenario",
          "[e2e]") {
    test::ScratchDir out;
    REQUIRE(
        test::run_lab("run head-of-line --delay 20 --repeat 1 --quiet --out " + out.path.string())
            .exit_code == 0);
    auto table = test::run_lab("report --measured " + out.path.string());
    INFO(table.output);
    CHECK(table.exit_code == 0);
    CHECK(table.output.find("| scenario | configuration | measured | model | key figure |") == 0);
    CHECK(table.output.find("| head-of-line | async def + time.sleep(0.02) | 0.") !=
          std::string::npos);
    CHECK(table.output.find("probe_p50") != std::string::npos);  // its lesson's figure
    CHECK(std::regex_search(table.output,
                            std::regex("\\| head-of-line \\| [0-9]+ s \\|")));  // how long it took
    CHECK(test::run_lab("report --measured " + (out.path / "nothing").string()).exit_code == 2);
}

// The README is the way in: short, the tour of the code in its first screenful, and every file
// the tour names really there (the reference lives in the folders' own READMEs).
TEST_CASE("the README is short and its tour names files that exist", "[unit]") {
    const std::filesystem::path source(LAB_SOURCE_DIR);
    std::istringstream readme(test::read_file(source / "README.md"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(readme, line);) lines.push_back(line);
    CHECK(lines.size() <= 200);
    auto tour = std::find(lines.begin(), lines.end(), "## Read these three files");
    REQUIRE(tour != lines.end());
    CHECK(tour - lines.begin() < 100);
    for (const char* file : {"lab/modes/blocking_in_loop.cpp", "lab/modes/async_sleep.cpp",
                             "lab/server/http_server.cpp"}) {
        INFO(file);
        CHECK(std::filesystem::exists(source / file));
    }
    // The lines the tour quotes are the files' own.
    CHECK(test::read_file(source / "lab/modes/blocking_in_loop.cpp")
              .find("std::this_thread::sleep_for(d);") != std::string::npos);
    CHECK(test::read_file(source / "lab/modes/async_sleep.cpp")
              .find("co_await timer.async_wait(asio::use_awaitable);") != std::string::npos);
    CHECK(test::read_file(source / "lab/server/http_server.cpp").find("co_await respond(") !=
          std::string::npos);
}

// Each demonstration says how long its lesson takes here: the figure of the generated table
// (results/README.md's "Measured here"), wherever a page cites it.
TEST_CASE("the README's demonstrations cite how long each lesson takes from its generated table",
          "[unit]") {
    const std::filesystem::path source(LAB_SOURCE_DIR);
    const std::string table = test::read_file(source / "results/README.md");
    const std::string pages =
        test::read_file(source / "README.md") + test::read_file(source / "scenarios/README.md");
    std::map<std::string, std::string> took;
    static const std::regex row(R"(\n\| ([a-z0-9-]+) \| ([0-9]+) s \|)");
    for (auto it = std::sregex_iterator(table.begin(), table.end(), row);
         it != std::sregex_iterator(); ++it)
        took[(*it)[1]] = (*it)[2];
    REQUIRE(took.size() >= 15);
    int cited = 0;
    static const std::regex cite(R"(`lab run ([a-z0-9-]+)` \(([0-9]+) s here\))");
    for (auto it = std::sregex_iterator(pages.begin(), pages.end(), cite);
         it != std::sregex_iterator(); ++it, ++cited) {
        INFO((*it)[0]);
        CHECK(took[(*it)[1]] == (*it)[2].str());
    }
    CHECK(cited >= 8);  // at least one a demonstration
}

TEST_CASE("a scenario whose service is not installed says which package, in one line",
          "[e2e][untimed]") {
    setenv("LAB_PG_BIN", "/nonexistent", 1);
    auto missing = test::run_lab("run blocking-driver --quiet");
    unsetenv("LAB_PG_BIN");
    CHECK(missing.exit_code == 4);  // the lab could not run it
    CHECK(missing.output == "lab: PostgreSQL is not installed: apt-get install postgresql-15\n");
}

TEST_CASE(
    "real FastAPI rows beside the C++ ones: asyncpg, httpx and redis.asyncio, verdicts from their "
    "own stamps and counts",
    "[e2e]") {
    // The awaiting row of each scenario and its FastAPI twin, one batch each; and gil-convoy's
    // `def` routes computing under the GIL, whose twin counts its threads computing at once as
    // `lab serve` does (lab/reference/work.py): one, never "concurrent" alone.
    struct Case {
        const char* scenario;
        const char* verdict;  // what both rows must say, from the servers' and PostgreSQL's stamps
        int row = 2;
    };
    for (Case c :
         {Case{"blocking-driver", "PostgreSQL ran 10 at once"}, Case{"http-client", "concurrent"},
          Case{"db-and-cache", "PostgreSQL ran 1 at once"},
          Case{"gil-convoy", "; computing 1 at once", 1}}) {
        INFO(c.scenario);
        test::ScratchDir out;
        auto o =
            test::run_lab(std::string("run ") + c.scenario + " --only " + std::to_string(c.row) +
                          " --with-fastapi --repeat 1 --quiet --out " + out.path.string());
        INFO(o.output);
        if (o.output.find("FastAPI or uvicorn is not installed") != std::string::npos) {
            WARN("python3-fastapi or python3-uvicorn is missing: skipped");
            continue;
        }
        REQUIRE(o.exit_code == 0);
        auto run = std::filesystem::directory_iterator(out.path / c.scenario)->path();
        auto summary = nlohmann::json::parse(std::ifstream(run / "summary.json"));
        REQUIRE(summary["configurations"].size() == 2);
        CHECK(summary["configurations"][1]["server"] == "fastapi");
        for (const auto& row : summary["configurations"]) {
            CHECK(row["error"] == "");
            CHECK(row["verdict"].get<std::string>().find(c.verdict) != std::string::npos);
        }
    }
}

TEST_CASE("multi-process: each batch's loop-blocked figure is the busiest worker's, that batch's",
          "[e2e]") {
    // Round-robin deals the ten requests 3, 3, 2, 2: the busiest worker's loop is held for its
    // three waits back to back (3·d), never for more than the requests it served (a figure kept
    // from an earlier batch, or one worker's reset read from another, would show more).
    test::ScratchDir out;
    auto o =
        test::run_lab("run multi-process --only 3 --repeat 3 --quiet --out " + out.path.string());
    INFO(o.output);
    REQUIRE(o.exit_code == 0);
    auto run = std::filesystem::directory_iterator(out.path / "multi-process")->path();
    auto summary = nlohmann::json::parse(std::ifstream(run / "summary.json"));
    const double d_ms = summary["load"]["delay_ms"].get<double>();
    const auto& batches = summary["configurations"][0]["batches"];
    const auto records = lab::read_results(run).configurations[0].batches;  // each request's
    REQUIRE(records.size() == batches.size());
    for (std::size_t i = 0; i < batches.size(); ++i) {
        INFO("batch " << i + 1);
        int busiest = 0;
        for (const auto& [pid, count] : batches[i]["requests_per_worker"].items())
            busiest = std::max(busiest, count.get<int>());
        double blocked = batches[i]["loop_blocked_ms"].get<double>();
        CHECK(blocked <= 1.1 * busiest * d_ms);  // no more than what it served
        // Its waits were back to back on one loop, unless the machine split them (each worker's
        // handlers, by the server's stamps, had room between them: disturbed, not judged).
        std::map<std::int64_t, std::vector<lab::RequestRecord>> by_worker;
        for (const auto& r : records[i].requests) by_worker[r.worker_pid].push_back(r);
        std::int64_t room = 0;
        for (const auto& [pid, served] : by_worker)
            room = std::max(room, test::widest_room_us(served));
        if (room > lab::LoopMonitor::room_us)
            WARN("batch " << i + 1 << " disturbed: " << room / 1000.0
                          << " ms of room between two handlers of a worker; not judged");
        else CHECK(blocked >= 0.9 * busiest * d_ms);
    }
}

namespace {

// Every subcommand path of `lab` ("load", "exercise check", ...), read from the help it prints.
std::vector<std::string> command_paths(const std::string& path = "") {
    std::vector<std::string> paths;
    std::string help = test::run_lab(path + " --help").output;
    auto listed = help.find("\nSubcommands:\n");
    if (listed == std::string::npos) return {path};
    std::istringstream lines(help.substr(listed + 14));
    for (std::string line; std::getline(lines, line) && line.starts_with("  ");) {
        std::string name = line.substr(2, line.find(' ', 2) - 2);
        for (std::string& below : command_paths(path.empty() ? name : path + " " + name))
            paths.push_back(below);
    }
    return paths;
}

// The options of a command that take a number, by CLI11's names of their types (FLOAT, INT).
std::vector<std::pair<std::string, std::string>> number_options(const std::string& path) {
    std::vector<std::pair<std::string, std::string>> found;
    const std::regex option(R"(^  (?:-\w,)?(-[-\w]+) (FLOAT|INT)\b)");
    std::istringstream lines(test::run_lab(path + " --help").output);
    for (std::string line; std::getline(lines, line);)
        if (std::smatch m; std::regex_search(line, m, option)) found.emplace_back(m[1], m[2]);
    return found;
}

}  // namespace

TEST_CASE(
    "every number option of every command refuses NaN and infinities, exit 2, before anything runs",
    "[unit][options]") {
    int floating = 0;
    for (const std::string& path : command_paths()) {
        for (const auto& [option, type] : number_options(path)) {
            floating += type == "FLOAT";
            for (std::string value : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "1e999"}) {
                // (An unknown option last: if the number were taken, the command stops there, never
                // running.)
                auto o =
                    test::run_lab(path + " " + option + " " + value + " --not-an-option-of-lab");
                INFO(path << " " << option << " " << value << "\n" << o.output);
                CHECK(o.exit_code == 2);
                CHECK(o.output.find(value) != std::string::npos);  // the refusal names the value
                CHECK(o.output.find("not-an-option") == std::string::npos);  // it came first
            }
        }
    }
    CHECK(floating >= 3);  // at least lab load --rate, lab check --under, lab doctor --fail-over
}

// Issue 69: `--uvloop` and `--asgi-server`, each by name: the twins run on uvloop (whose loop the
// lab says it cannot watch) and under hypercorn (the mode column names it), each row measured.
TEST_CASE("lab run --with-fastapi --uvloop, and --asgi-server hypercorn", "[e2e][untimed]") {
    for (const std::string option : {"--uvloop", "--asgi-server hypercorn"}) {
        test::ScratchDir out;
        auto o = test::run_lab("run blocking-async --only 2 --with-fastapi " + option +
                               " --repeat 1 --delay 20 --quiet --out " + out.path.string());
        INFO(option << ": " << o.output);
        REQUIRE(o.exit_code == 0);
        const lab::RunResult run = lab::read_results(
            std::filesystem::directory_iterator(out.path / "blocking-async")->path());
        REQUIRE(run.configurations.size() == 2);
        const lab::ConfigurationResult& twin = run.configurations[1];
        CHECK(twin.configuration.server == lab::Server::fastapi);
        CHECK(twin.error.empty());
        CHECK(twin.makespan.median > 0);
        if (option == "--uvloop") {
            CHECK(twin.configuration.fastapi_loop == lab::TwinLoop::uvloop);
            CHECK(lab::why_not_measured(lab::Figure::loop_blocked, twin, run.scenario.load) ==
                  "uvloop has no selector the lab can watch (the stdlib's asyncio loop has)");
        } else {
            CHECK(twin.configuration.fastapi_server == lab::TwinServer::hypercorn);
            CHECK(lab::mode_cell(twin.configuration, "/delay").starts_with("FastAPI/hypercorn"));
        }
    }
}
