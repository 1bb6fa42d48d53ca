// Hostile text from outside the lab (a student's app, a results folder, a scenario file) reaches
// the teacher's terminal shown, never obeyed; a results folder keeps no credential; an app's own
// words never stand in for the probe's stamps.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "harness/statistics.hpp"
#include "lab/layout.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;

// What the hostile tester sent: the screen cleared, a forged "Well done", the window retitled
// (OSC 0, ended by BEL), the clipboard written (OSC 52), and a CSI as C1, in UTF-8 and as one byte.
const std::string forged =
    "\x1b[2J\x1b[H\xe2\x9c\x93 Well done.\x1b]0;lab: all "
    "passed\x07\x1b]52;c;cm0gLXJmIH4vKg==\x07\xc2\x9b"
    "2J\x9b"
    "2J";

// The first byte of `text` a terminal would obey (ESC, BEL, any other control but a line break
// or a tab, a C1 control, a byte that is not UTF-8), as "0x1b at 12"; "" if none.
std::string obeyed_byte(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = c < 0x80             ? 1
                        : (c & 0xE0) == 0xC0 ? 2
                        : (c & 0xF0) == 0xE0 ? 3
                        : (c & 0xF8) == 0xF0 ? 4
                                             : 0;
        bool whole = n > 0 && i + n <= text.size();
        for (std::size_t k = 1; whole && k < n; ++k)
            whole = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        bool control = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
                       (c == 0xc2 && whole && static_cast<unsigned char>(text[i + 1]) <= 0x9f);
        if (!whole || control) return fmt::format("0x{:02x} at {}", c, i);
        i += n;
    }
    return "";
}

// A run whose every text the lab shows holds the forged sequences, as a folder from anywhere may.
lab::RunResult hostile_run() {
    lab::RunResult run = test::made_up_run(test::shipped().front());
    run.scenario.title = "title " + forged;
    run.scenario.teaching = "teaching " + forged;
    run.scenario.source = "source " + forged;
    for (auto& r : run.configurations) {
        r.configuration.label = "label " + forged;
        r.configuration.document_text = "document " + forged;
        r.verdict = lab::Verdict::read("sequential " + forged);
    }
    run.configurations.back().error = "your app exited with status 3 during the run:\n" + forged;
    for (auto& e : run.scenario.expectations) e.claim = "claim " + forged;
    lab::measure_figures(run);  // (the last row stopped: it has none)
    return run;
}

}  // namespace

TEST_CASE(
    "printable() shows every control character, C1 and stray byte escaped, and keeps UTF-8 and, if "
    "asked, lines",
    "[unit]") {
    CHECK(obeyed_byte(forged) == "0x1b at 0");
    CHECK(obeyed_byte(lab::printable(forged)).empty());
    CHECK(lab::printable("\x1b[2J") == "\\x1b[2J");
    CHECK(lab::printable("a\x9b"
                         "b") == "a\\x9bb");  // the 8-bit CSI
    CHECK(lab::printable("a\xc2\x9b"
                         "b") == "a\\x9bb");  // the same as UTF-8
    CHECK(lab::printable("\xe2\x9c\x93 \xc3\xa9") == "\xe2\x9c\x93 \xc3\xa9");  // ✓ é: text, kept
    CHECK(lab::printable("\xe2\x9c") == "\\xe2\\x9c");  // a character cut short
    CHECK(lab::printable("line\n\tnext\r") == "line\\x0a\\x09next\\x0d");
    CHECK(lab::printable("line\n\tnext\r", true) ==
          "line\n\tnext\\x0d");  // a traceback's lines stay
}

TEST_CASE("lab report and lab show print a folder's and a scenario's hostile text escaped",
          "[unit]") {
    test::ScratchDir dir;
    lab::RunResult run = hostile_run();
    fs::path folder = lab::write_results(run, dir.path);
    for (const std::string& args :
         {"report " + folder.string(), "report " + folder.string() + " --wide",
          "report " + folder.string() + " " + folder.string(),
          "report --measured " + dir.path.string()}) {
        auto said = test::run_lab(args);
        INFO("lab " << args << "\n" << said.output);
        CHECK(said.output.find("\\x1b[2J") !=
              std::string::npos);  // shown, so the teacher sees what was there
        CHECK(obeyed_byte(said.output).empty());
    }
    std::string toml =
        test::read_file(fs::path(LAB_SOURCE_DIR) / "scenarios" / "blocking-async.toml");
    toml.replace(toml.find("title = \""), 9,
                 "title = \"\\u001b[2J\\u001b]0;lab: all passed\\u0007\\u009b2J ");
    toml.replace(toml.find("label = \""), 9, "label = \"\\u001b]52;c;cm0gLXJmIH4vKg==\\u0007 ");
    test::ScratchDir other;  // (a scenario's file is named as the scenario)
    fs::path scenario = dir.write("blocking-async.toml", toml);
    fs::path bad = other.write("blocking-async.toml", toml + "\n\"\\u001b[2Junknown\" = 1\n");
    for (const std::string& args :
         {"show " + scenario.string(), "show " + scenario.string() + " --sheet",
          "show " + bad.string()}) {
        auto said = test::run_lab(args);
        INFO("lab " << args << "\n" << said.output);
        CHECK(said.output.find("\\x1b") != std::string::npos);
        CHECK(obeyed_byte(said.output).empty());
    }
}

TEST_CASE("a results folder keeps credential headers' names, never their values", "[unit]") {
    lab::RunResult run = test::made_up_run(test::shipped().front());
    run.scenario.load.flags.headers = {"Authorization: Bearer s3cret-1",
                                       "Proxy-Authorization: Basic s3cret-2",
                                       "Cookie: id=s3cret-3",
                                       "Set-Cookie: id=s3cret-4",
                                       "X-Api-Key: s3cret-5",
                                       "X-Auth-Token: s3cret-6",
                                       "X-Jwt: s3cret-7",
                                       "DPoP: s3cret-8",
                                       "X-Upstream: bearer s3cret-9",
                                       "X-Forward: Basic s3cret-10",
                                       "X-Session-Id: s3cret-11",
                                       "X-Client-Secret: s3cret-12",
                                       "X-Password: s3cret-13",
                                       "X-Pass: s3cret-14",  // names no list foresaw (issue 55)
                                       "X-CSRF: s3cret-15",
                                       "X-Otp: s3cret-16",
                                       "X-Signature: s3cret-17",
                                       "Accept: Bearer s3cret-18",
                                       "Content-Type: <kept>",
                                       "Accept: application/json"};
    test::ScratchDir dir;
    fs::path folder = lab::write_results(run, dir.path);
    std::string everything;
    for (const auto& file : fs::directory_iterator(folder))
        everything += test::read_file(file.path());
    CHECK(everything.find("s3cret") == std::string::npos);
    std::vector<std::string> kept = lab::read_results(folder).scenario.load.flags.headers;
    REQUIRE(kept.size() == run.scenario.load.flags.headers.size());
    for (std::size_t i = 0; i + 2 < kept.size(); ++i)
        CHECK(kept[i] == run.scenario.load.flags.headers[i].substr(
                             0, run.scenario.load.flags.headers[i].find(':')) +
                             ": (not kept)");
    CHECK(kept[kept.size() - 2] == "Content-Type: <kept>");
    CHECK(kept.back() == "Accept: application/json");
}

TEST_CASE(
    "a student's app cannot reach the terminal: its import error and its output are shown escaped",
    "[app][untimed]") {
    auto refused = test::run_lab("run blocking-async --app " + test::app_file("hostile_import.py"));
    INFO(refused.output);
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find("Well done") != std::string::npos);  // said, as text
    CHECK(obeyed_byte(refused.output).empty());
    test::ScratchDir work, out;
    fs::copy_file(test::app_file("hostile_import.py"), work.path / "main.py");
    auto graded = test::run_lab("exercise check blocking-sleep " + work.path.string() + " --out " +
                                out.path.string());
    INFO(graded.output);
    CHECK(graded.exit_code == 2);
    CHECK(obeyed_byte(graded.output).empty());
    auto died = test::run_lab("run blocking-async --only 2 --repeat 1 --app " +
                              test::app_file("hostile_output.py") + " --out " + out.path.string());
    INFO(died.output);
    CHECK(died.exit_code == 4);  // the lab could not run the lesson on it
    CHECK(died.output.find("your app exited with status 3") != std::string::npos);
    CHECK(obeyed_byte(died.output).empty());
}

TEST_CASE(
    "an app's own timing fields never stand in for the probe's stamps: a held loop is sequential",
    "[app]") {
    test::ScratchDir out;
    auto said =
        test::run_lab("run blocking-async --only 1 --repeat 1 --app " +
                      test::app_file("fake_stamps.py") + " --quiet --out " + out.path.string());
    INFO(said.output);
    REQUIRE(said.exit_code == 0);
    fs::path folder = fs::directory_iterator(fs::directory_iterator(out.path)->path())->path();
    lab::RunResult run = lab::read_results(folder);
    const lab::ConfigurationResult& mine = run.configurations.back();
    REQUIRE(mine.configuration.server == lab::Server::app);
    CHECK(mine.verdict.served == lab::Served::sequential);
    // The stamps are the probe's: each request began after the one before it ended (the loop was
    // held), not all at the first one's arrival, as the app's body and its x-lab-* fields claim.
    const lab::Batch& batch = mine.batches[mine.median_batch];
    std::vector<lab::Interval> served;
    for (const auto& r : batch.requests) served.push_back({r.server_start_us, r.server_end_us});
    CHECK(lab::max_overlap(served) == 1);
}
