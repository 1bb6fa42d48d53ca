// A damaged results folder is refused with the file, the place and the reason, never a crash;
// a stray or half-written folder does not stop a later run; a scenario file's non-finite number
// is refused. (Reading back an intact folder: round_trip_test.cpp.)
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "lab/report/report.hpp"
#include "lab/bounded_json.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"
#include "lab/scenario/scenario.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using test::made_up_run;
using test::shipped;

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
    refused(
        [](const fs::path& f) {
            rewrite(f / "requests.csv",
                    [](std::string t) { return t.substr(0, t.find('\n') + 1); });
        },
        "requests.csv: has 0 batches of configuration 1");
    refused(
        [](const fs::path& f) {
            rewrite(f / "requests.csv", [](std::string t) {  // only the first configuration's rows
                std::string kept;
                std::istringstream in(t);
                for (std::string line; std::getline(in, line);)
                    if (kept.empty() || line.rfind("0,", 0) == 0) kept += line + "\n";
                return kept;
            });
        },
        "of configuration 2");
    refused(
        [](const fs::path& f) {
            edit_summary(f, [](auto& j) { j["configurations"][0]["label"] = "another run's"; });
        },
        "files of two different runs");
    refused(
        [](const fs::path& f) { edit_summary(f, [](auto& j) { j["load"]["concurrency"] = 0; }); },
        "summary.json: load.concurrency: must be from 1 to 10000, got 0");
    refused(
        [](const fs::path& f) { edit_summary(f, [](auto& j) { j["load"]["requests"] = 1e30; }); },
        "load.requests: must be a whole number, got 1e+30");
    refused(
        [](const fs::path& f) {
            edit_summary(f, [](auto& j) { j["configurations"][1]["document_s"] = "soon"; });
        },
        "configurations[1].document_s: must be a number");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j.erase("configurations"); }); },
            "configurations: missing");
    refused(
        [](const fs::path& f) {
            edit_summary(f, [](auto& j) { j["configurations"][0]["balance"] = "sideways"; });
        },
        "configurations[0].balance: 'sideways' is not one of: shared, reuseport, round-robin");
    refused([](const fs::path& f) { edit_summary(f, [](auto& j) { j["kind"] = 3; }); },
            "kind: must be a string, got 3");
    refused(
        [](const fs::path& f) {
            rewrite(f / "summary.json", [](std::string t) { return t.substr(0, t.size() / 2); });
        },
        "summary.json: not valid JSON");
    refused(
        [](const fs::path& f) {  // a reader recurses where nlohmann's parser does not
            rewrite(f / "summary.json", [](std::string t) {
                return replace_first(
                    t, "{",
                    "{\"deep\": " + std::string(100'000, '[') + std::string(100'000, ']') + ",");
            });
        },
        "summary.json: nested deeper than the lab reads");
    refused(
        [](const fs::path& f) {
            rewrite(f / "requests.csv", [](std::string t) {
                return replace_first(t, ",request,0,", ",request,zero,");
            });
        },
        "column 'index': 'zero' is not a whole number");
    refused(
        [](const fs::path& f) {
            rewrite(f / "requests.csv",
                    [](std::string t) { return replace_first(t, "send_us", "sent_us"); });
        },
        "no column 'send_us'");
    refused(
        [](const fs::path& f) {
            rewrite(f / "requests.csv",
                    [](std::string t) { return replace_first(t, ",read,", ",melted,"); });
        },
        "column 'error'");
    refused([](const fs::path& f) { fs::remove(f / "requests.csv"); },
            "requests.csv: cannot be read");
}

TEST_CASE(
    "a requests.csv that is a device, a folder or one endless row is refused at once, memory "
    "bounded",
    "[unit]") {
    refused(
        [](const fs::path& f) {
            fs::remove(f / "requests.csv"), fs::create_symlink("/dev/urandom", f / "requests.csv");
        },
        "requests.csv: is not a regular file");
    refused(
        [](const fs::path& f) {
            fs::remove(f / "requests.csv"), fs::create_directory(f / "requests.csv");
        },
        "requests.csv: is not a regular file");
    refused(
        [](const fs::path& f) {
            rewrite(f / "requests.csv", [](std::string t) {
                return t + std::string(lab::max_requests_csv_row_bytes + 1, '7');
            });
        },
        "a row longer than");
    // `lab report` as a user runs it: refused with exit 2 within seconds, reading nothing of the
    // device.
    test::ScratchDir dir;
    fs::path folder = lab::write_results(made_up_run(shipped().front()), dir.path);
    fs::remove(folder / "requests.csv");
    fs::create_symlink("/dev/urandom", folder / "requests.csv");
    auto said = test::run_lab_measured({"report", folder.string()});
    INFO(said.outcome.output);
    CHECK(said.outcome.exit_code == 2);
    CHECK(said.outcome.output.find("not a regular file") != std::string::npos);
    CHECK(said.seconds < 5);
    if (!test::under_address_sanitizer) CHECK(said.max_rss_kib < 100 * 1024);
}

TEST_CASE(
    "a summary.json that is a FIFO or a device is refused before it is opened: report and diff "
    "return at once",
    "[unit]") {
    refused(
        [](const fs::path& f) {
            fs::remove(f / "summary.json"), fs::create_symlink("/dev/zero", f / "summary.json");
        },
        "summary.json: is not a regular file");
    test::ScratchDir dir;
    fs::path folder = lab::write_results(made_up_run(shipped().front()), dir.path);
    fs::path fifo = folder / "summary.json";
    fs::remove(fifo);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // A reader that opened the FIFO would wait for a writer for ever: one comes after 10 s, so
    // that the lab of before this fix ends (and fails the time below) rather than hangs the test.
    std::promise<void> checked;
    std::thread writer([&, done = checked.get_future()] {
        done.wait_for(std::chrono::seconds(10));
        ::close(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK));
    });
    for (std::vector<std::string> args : {std::vector<std::string>{"report", folder.string()},
                                          {"diff", folder.string(), folder.string()}}) {
        auto said = test::run_lab_measured(args);
        INFO(said.outcome.output);
        CHECK(said.outcome.exit_code == 2);
        CHECK(said.outcome.output.find("summary.json: is not a regular file") != std::string::npos);
        CHECK(said.seconds < 5);
    }
    checked.set_value();
    writer.join();
}

TEST_CASE("`lab load` is a kind of run of its own, kept in the folder", "[unit]") {
    lab::Scenario load = test::external_load();
    test::ScratchDir dir;
    fs::path folder = lab::write_results(made_up_run(load), dir.path);
    CHECK(lab::read_results(folder).scenario.kind == lab::RunKind::load);
    edit_summary(folder, [](auto& j) {
        j.erase("kind");
    });  // a folder from before "kind": said by its servers
    CHECK(lab::read_results(folder).scenario.kind == lab::RunKind::load);
    // Before its first answer (the live view's plan), `lab load` is described as hey would.
    std::string line = lab::load_line(lab::RunResult{load, {}});
    CHECK(line.find("waiting d") == std::string::npos);
    CHECK(line.find("Source") == std::string::npos);
}

TEST_CASE("a stray hidden folder does not stop later runs; a failed write leaves nothing",
          "[unit]") {
    test::ScratchDir dir;
    lab::RunResult run = made_up_run(shipped().front());
    fs::create_directories(dir.path / run.scenario.name /
                           ".x.partial-old");  // not ours: left alone
    fs::create_directories(dir.path / run.scenario.name /
                           ".2020-01-01T00-00-00Z.partial-999999999");  // gone: cleared
    CHECK_NOTHROW(lab::write_results(run, dir.path));
    CHECK(fs::exists(dir.path / run.scenario.name / ".x.partial-old"));
    CHECK_FALSE(
        fs::exists(dir.path / run.scenario.name / ".2020-01-01T00-00-00Z.partial-999999999"));

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
        } catch (const std::exception&) { threw = true; }
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
    for (auto [load, config, key] :
         {std::tuple{"rate = nan", "", "load.rate"}, std::tuple{"rate = inf", "", "load.rate"},
          std::tuple{"rate = 0.5\nduration_ms = 100", "", "load.rate"},
          std::tuple{"", "document_s = inf", "document_s"},
          std::tuple{"", "document_s = nan", "document_s"}}) {
        auto file = dir.write("lesson.toml",
                              base + "[load]\n" + load +
                                  "\n[[configuration]]\nlabel = \"a\"\nmode = \"async-sleep\"\n" +
                                  config + "\n");
        try {
            lab::load_scenario(file);
            FAIL("accepted " << load << config);
        } catch (const lab::ScenarioError& e) { CHECK(e.key.find(key) != std::string::npos); }
    }
}

TEST_CASE("lab report on a full disk says it could not write the page, and leaves no partial file",
          "[unit]") {
    test::ScratchDir scratch;
    fs::path dir = lab::write_results(made_up_run(shipped().front()),
                                      scratch.path);  // a folder without its report.html
    const std::string before = test::entries_of(dir);
    auto full = test::run_lab_on_full_disk("report " + dir.string(), 1000);
    INFO(full.output);
    CHECK(full.exit_code == 1);
    CHECK(full.output.find("could not write " + (dir / "report.html").string()) !=
          std::string::npos);
    CHECK(test::entries_of(dir) == before);  // no report.html, whole or partial
    CHECK(test::run_lab("report " + dir.string()).exit_code == 0);  // and with room, it is written
    CHECK(fs::file_size(dir / "report.html") > 1000);
}

TEST_CASE("JSON from outside is read at most 100 levels deep: a probe's answer, a folder's file",
          "[unit]") {
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    bool too_deep = true;
    CHECK_FALSE(lab::parse_bounded_json(nested(lab::most_json_depth), &too_deep).is_discarded());
    CHECK_FALSE(too_deep);
    CHECK(lab::parse_bounded_json(nested(lab::most_json_depth + 1), &too_deep).is_discarded());
    CHECK(too_deep);
    CHECK(lab::parse_bounded_json(nested(100'000), &too_deep).is_discarded());
    CHECK(lab::parse_bounded_json("{\"a\": ", &too_deep).is_discarded());
    CHECK_FALSE(too_deep);  // not JSON, which is another reason
}

TEST_CASE("a folder that kept a twin's defaults as \"\" (before they had names) reads them",
          "[unit]") {
    test::ScratchDir dir;
    fs::path folder = lab::write_results(made_up_run(shipped().front()), dir.path);
    edit_summary(folder, [](auto& j) {
        for (const char* key : {"fastapi_variant", "fastapi_server", "fastapi_loop"})
            j["configurations"][0][key] = "";
    });
    const lab::RunResult read = lab::read_results(folder);
    const lab::Configuration& c = read.configurations[0].configuration;
    CHECK(c.fastapi_variant == lab::TwinRoute::matching);
    CHECK(c.fastapi_server == lab::TwinServer::uvicorn);
    CHECK(c.fastapi_loop == lab::TwinLoop::asyncio);
}
