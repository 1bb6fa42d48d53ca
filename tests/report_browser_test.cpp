// report.html in a real browser: headless Chromium lays the page out and the test's script
// (tests/report_checks.js, added to a copy of the page) measures what it drew (bars with a size,
// each timeline's drawn width, colours without a legend entry, the key figure); the tests read
// those measurements back from the DOM.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "lab/report/class_grades.hpp"
#include "lab/scenario/scenario.hpp"
#include "lab/run/server_process.hpp"
#include "lab/live/live_hub.hpp"
#include "support.hpp"

namespace {

struct Drawn {
    std::string dom;  // "" when the shipped page has no </body> or Chromium could not start
    int status = -1;  // Chromium's exit status
};

// The page as Chromium has laid it out, after the checks' script ran in a copy of it (a window
// 1280 wide: a projector's). A shipped report.html carries no script of its own. No assertion
// here, so that two pages may be drawn at once, on two threads (rendered_dom asserts).
Drawn drawn_page(const std::filesystem::path& shipped, const std::filesystem::path& profile,
                 const char* window = "1280,2000") {
    std::string page = test::read_file(shipped);
    const std::size_t end = page.rfind("</body>");
    if (end == std::string::npos) return {};
    page.insert(
        end, "<script>\n" +
                 test::read_file(std::filesystem::path(LAB_SOURCE_DIR) / "tests/report_checks.js") +
                 "</script>\n");
    const std::filesystem::path report = shipped.parent_path() / "report-checked.html";
    std::ofstream(report) << page;
    std::string command =
        "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=" +
        std::string(window) + " --user-data-dir=" + profile.string() + " --dump-dom file://" +
        report.string() + " 2>/dev/null";
    Drawn drawn;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return drawn;
    char chunk[4096];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe)) drawn.dom.append(chunk, n);
    drawn.status = pclose(pipe);
    return drawn;
}

// drawn_page's page, asserted whole.
std::string whole(const Drawn& drawn) {
    INFO("chromium exit status " << drawn.status);
    REQUIRE(drawn.dom.find("</html>") != std::string::npos);
    return drawn.dom;
}

std::string rendered_dom(const std::filesystem::path& shipped, const std::filesystem::path& profile,
                         const char* window = "1280,2000") {
    return whole(drawn_page(shipped, profile, window));
}

struct DrawnTimeline {
    std::string label;
    double span_us = 0, axis_us = 0, fraction = -1;
    bool zoomed = false;
};

std::vector<DrawnTimeline> drawn_timelines(const std::string& dom) {
    std::vector<DrawnTimeline> found;
    std::regex svg("<svg class=\"timeline[^>]*>");
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), svg); it != std::sregex_iterator();
         ++it) {
        std::string tag = it->str();
        DrawnTimeline t;
        t.label = test::html_attribute(tag, "aria-label");
        t.zoomed = tag.find("timeline zoomed") != std::string::npos;
        t.span_us = std::stod(test::html_attribute(tag, "data-span-us"));
        t.axis_us = std::stod(test::html_attribute(tag, "data-axis-us"));
        std::string fraction = test::html_attribute(tag, "data-rendered-fraction");
        if (!fraction.empty()) t.fraction = std::stod(fraction);
        found.push_back(t);
    }
    return found;
}

// What a command popen() started writes, to its end; the command then waited for.
std::string said_to_end(FILE* command) {
    std::string said;
    char chunk[4096];
    while (std::size_t n = std::fread(chunk, 1, sizeof chunk, command)) said.append(chunk, n);
    pclose(command);
    return said;
}

// Runs `lab ARGS --live --live-wait 60`, opens its page in Chromium as soon as it is printed, and
// returns what the page showed once its event stream closed (the run over); `said` gets lab's
// output.
std::string live_page_of(const std::string& args, const std::filesystem::path& out,
                         std::string& said, int& status, const std::string& window = "1024,768") {
    std::string command = std::string(LAB_BINARY) + " " + args +
                          " --live --live-wait 60 --quiet --out " + out.string() + " 2>&1";
    FILE* lab = popen(command.c_str(), "r");
    REQUIRE(lab);
    std::string url = test::read_until(lab, "live view: (http://127\\.0\\.0\\.1:[0-9]+/)", said);
    INFO(said);
    REQUIRE_FALSE(url.empty());
    std::string dom;
    {
        std::string browse =
            "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
            "--disable-background-networking --disable-component-update --disable-sync "
            "--window-size=" +
            window + " --virtual-time-budget=60000 --user-data-dir=" + (out / "profile").string() +
            " --dump-dom " + url + " 2>/dev/null";
        FILE* chromium = popen(browse.c_str(), "r");
        REQUIRE(chromium);
        dom = said_to_end(chromium);
    }
    test::read_until(lab, "(?!)", said);  // (to its end)
    status = pclose(lab);
    return dom;
}

// The room's guess form (--predict-page) at PORT, as Chromium lays it out on a phone's screen.
std::string phone_form_of(const std::string& port, const std::filesystem::path& profile) {
    const std::string browse =
        "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=400,800 --virtual-time-budget=5000 --user-data-dir=" +
        profile.string() + " --dump-dom http://127.0.0.1:" + port + "/guess 2>/dev/null";
    FILE* chromium = popen(browse.c_str(), "r");
    REQUIRE(chromium);
    return said_to_end(chromium);
}

// The room's guess form at PORT on a phone's 375 x 667 (tests/phone_view.py: a headless window is
// 500 wide at least): {"sendBottom": Send's bottom edge, "pageWidth": the page's} once Send is
// drawn.
nlohmann::json phone_view(const std::string& port) {
    const std::string command =
        "/usr/bin/python3 " LAB_TEST_DATA "/../phone_view.py http://127.0.0.1:" + port +
        "/guess \"document.querySelector('button')\" \"{sendBottom: "
        "Math.ceil(document.querySelector('button').getBoundingClientRect().bottom), pageWidth: "
        "document.documentElement.scrollWidth}\"";
    FILE* view = popen(command.c_str(), "r");
    REQUIRE(view);
    return nlohmann::json::parse(said_to_end(view), nullptr, false);
}

// `lab run blocking-async --predict-page` (d = 20 ms, one batch), its results in `out`, for a room
// of `room_size`.
test::PipedLab room_run(const std::filesystem::path& out, const std::string& room_size = "200") {
    return test::spawn_lab_piped({"run", "blocking-async", "--predict-page", "--room-size",
                                  room_size, "--delay", "20", "--repeat", "1", "--out",
                                  out.string()});
}

// A --predict-page run's projector: Chromium at `size` ("1280,720") opens `page`; once the lab
// says a page is open, Enter starts the run. The page's DOM at the run's end.
std::string projector_after_enter(test::PipedLab& piped, const std::string& page,
                                  const std::string& size, const std::filesystem::path& scratch,
                                  std::string& text) {
    const std::string browse =
        "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=" +
        size +
        " --virtual-time-budget=60000 --user-data-dir=" + (scratch / ("profile-" + size)).string() +
        " --dump-dom " + page + " 2>/dev/null";
    FILE* chromium = popen(browse.c_str(), "r");
    REQUIRE(chromium);
    CHECK_FALSE(test::read_until(piped.said, "live view: (a page is open)", text)
                    .empty());  // the projector has it
    CHECK(write(piped.to_stdin, "\n", 1) == 1);  // Enter: the run starts
    close(piped.to_stdin);
    return said_to_end(chromium);
}

// Three lessons wait for times of their own that no `lab run` option shortens: stall's open loop
// sends for 5 s a row, background-tasks' bystander watches 2.2 s after each batch, websockets'
// ticks are timed for 3 s. Their pages draw the same with shorter times (stall keeps its 1 s
// freeze, one second in, and half a second after it), so this test runs them from a copy of their
// file that differs only in these numbers (and the teaching sentence that names one, kept true);
// `lab run` and `lab check` keep the lesson's own. Every other lesson runs from its shipped file.
// (tests/notebooks_test.sh shortens stall with the same three edits, in shell: change both.)
std::string browser_run_target(const std::filesystem::path& file, const std::string& name,
                               const std::filesystem::path& out) {
    using Edits = std::vector<std::pair<std::string, std::string>>;
    const std::map<std::string, Edits> shortened = {
        {"stall",
         {{"duration_ms = 5000", "duration_ms = 2500"},
          {"stall_at_ms = 2000", "stall_at_ms = 1000"},
          {"Two seconds in,", "One second in,"}}},
        {"background-tasks", {{"probe_after_ms = 2200", "probe_after_ms = 400"}}},
        {"websockets",
         {{"duration_ms = 3000", "duration_ms = 1200"},
          {"stall_at_ms = 1500", "stall_at_ms = 600"}}}};
    const auto edits = shortened.find(name);
    if (edits == shortened.end()) return name;
    std::string text = test::read_file(file);
    for (const auto& [from, to] : edits->second) {
        const std::size_t at = text.find(from);
        INFO(file << " no longer says '" << from << "': say here what shortens " << name);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
    }
    const std::filesystem::path copy =
        out / "shortened" / (name + ".toml");  // (a file is named as its lesson)
    std::filesystem::create_directories(copy.parent_path());
    std::ofstream(copy) << text;
    return copy.string();
}

// Each lesson small, to run them all in a few minutes; blocking-async keeps the lesson's own d =
// 100 ms. c10k sends 2,000 here: what is drawn is the same, and 10,000 threads with 10,000
// connections on a busy 2-core CI machine once took past the batch's deadline (its own run, `lab
// run c10k`, keeps the full 10,000). A lesson that sweeps d keeps a sweep, of small values.
std::string browser_run_options(const lab::Scenario& scenario) {
    const bool sweeps_d = scenario.sweep && scenario.sweep->option == "delay";
    return scenario.name == "blocking-async" ? "--repeat 1"
           : scenario.name == "c10k"         ? "--delay 10 --repeat 1 --requests 2000"
           : sweeps_d                        ? "--delay 5,10 --repeat 1"
                                             : "--delay 10 --repeat 1";
}

// The lessons whose staircase is the lesson: their page is drawn at 1024 × 768 too.
bool staircase_lesson(const std::string& name) {
    return name == "blocking-async" || name == "experiment-log";
}

struct DrawnLesson {
    test::Outcome run;
    Drawn page, small;  // small: at 1024 × 768 (staircase_lesson), else not drawn
};

// The one lesson whose page check judges its measured times: blocking-async's wall is drawn at
// most 0.15 of the staircase's width (its d = 100 ms against 10 × d). It is drawn in the `browser`
// group, which runs alone; every other lesson's page checks only what is drawn, whatever the
// times (each timeline's width stands in the ratio of its own measured span), and is drawn in
// `browser-pages`, which may run beside the groups that time nothing (tests/CMakeLists.txt).
bool page_judges_times(const std::string& name) { return name == "blocking-async"; }

// The shipped lessons whose page_judges_times is `judged`, each run and its page drawn, once for
// all the SECTIONs of the case that asks: the runs one at a time, then Chromium on the pages two
// at a time (each of the two threads has profiles of its own).
std::map<std::string, DrawnLesson> lessons_drawn(const std::filesystem::path& out, bool judged) {
    std::map<std::string, DrawnLesson> lessons;
    struct Draw {
        Drawn* into;
        std::filesystem::path report;
        bool small;
    };
    std::vector<Draw> draws;
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        lab::Scenario scenario = lab::load_scenario(file);
        if (page_judges_times(scenario.name) != judged) continue;
        DrawnLesson& lesson = lessons[scenario.name];
        lesson.run =
            test::run_lab("run " + browser_run_target(file, scenario.name, out) + " " +
                          browser_run_options(scenario) + " --quiet --out " + out.string());
        if (lesson.run.exit_code != 0) continue;  // (its SECTION says so)
        const auto report = test::newest_run(out, scenario.name) / "report.html";
        draws.push_back({&lesson.page, report, false});
        if (staircase_lesson(scenario.name)) draws.push_back({&lesson.small, report, true});
    }
    test::two_at_a_time(draws.size(), [&](std::size_t i, int worker) {
        const std::string profile = "profile-" + std::to_string(worker + 1);  // one per thread
        *draws[i].into = draws[i].small
                             ? drawn_page(draws[i].report, out / (profile + "-1024"), "1024,768")
                             : drawn_page(draws[i].report, out / profile);
    });
    return lessons;
}

// A staircase lesson's page (staircase_lesson): the staircase whole in the first screen, below
// the key figure (experiment-log's five groups of bars too, their labels beside them); at 1024 ×
// 768 the page keeps its margins and nothing runs off the right.
void check_staircase_first(const std::string& body, const Drawn& small_page) {
    REQUIRE_FALSE(test::html_attribute(body, "data-first-timeline-bottom").empty());
    CHECK(std::stoi(test::html_attribute(body, "data-first-timeline-bottom")) <= 900);
    std::string small = whole(small_page);
    const std::string small_body = small.substr(small.find("<body"));
    CHECK(test::html_attribute(small_body, "data-overflow-x") == "0");
    REQUIRE_FALSE(test::html_attribute(small_body, "data-margin-left").empty());
    CHECK(std::stoi(test::html_attribute(small_body, "data-margin-left")) >= 16);
}

// One lesson's run and page: its terminal lines fit 80 columns; the key figure first with its
// legend, no colour without a legend entry, and the timelines of one run on one axis, so that
// their drawn widths stand in the ratio of their measured spans.
void check_drawn_lesson(const lab::Scenario& scenario, const DrawnLesson& lesson) {
    const test::Outcome& run = lesson.run;
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("configuration") != std::string::npos);
    CHECK(test::longest_line(run.output.substr(0, run.output.find("results: "))) <= 80);
    std::string dom = whole(lesson.page);

    const std::string body = dom.substr(dom.find("<body"));
    CHECK(test::html_attribute(body, "data-unlegended-colours") == "0");
    CHECK(test::html_attribute(body, "data-clipped-labels") ==
          "0");  // a label beside its bars is whole
    // The first screen (1280 wide, a projector's 900 high) holds the title, one sentence and the
    // lesson's chart; the page is no longer than it must be; its source said once.
    REQUIRE_FALSE(test::html_attribute(body, "data-key-figure-top").empty());
    CHECK(std::stoi(test::html_attribute(body, "data-key-figure-top")) < 900);
    CHECK(std::stoi(test::html_attribute(body, "data-page-height")) < 15000);
    CHECK(dom.find("Source: ") == dom.rfind("Source: "));
    if (scenario.sweep) {  // a sweep's curves come first, each with its legend
        CHECK(dom.find("<svg class=\"sweep\"") < dom.find("<table>"));
        CHECK(dom.find("section class=\"chart sweep-chart\"") < dom.find("<table>"));
    } else {
        CHECK(test::html_attribute(body, "data-key-figure") == lab::name_of(scenario.key_figure));
        CHECK(dom.find("section class=\"chart key-figure\"") <
              dom.find("<table>"));  // the key figure comes first
    }

    auto timelines = drawn_timelines(dom);
    if (scenario.load.rate > 0) CHECK(timelines.empty());  // an open loop draws latency over time
    for (const auto& t : timelines) {
        INFO(t.label << ": span " << t.span_us << " µs on an axis of " << t.axis_us << " µs, drawn "
                     << t.fraction);
        REQUIRE(t.fraction >= 0);
        double expected = t.zoomed ? 1.0 : t.span_us / t.axis_us;
        CHECK(t.fraction == Approx(expected).margin(0.05));
    }
    if (staircase_lesson(scenario.name)) check_staircase_first(body, lesson.small);
    if (page_judges_times(scenario.name)) {  // the wall is a tenth of the staircase, as drawn
        REQUIRE(timelines.size() == 3);  // the staircase, the wall, and the wall zoomed
        CHECK_FALSE(timelines[0].zoomed);
        CHECK(timelines[0].fraction > 0.95);
        CHECK_FALSE(timelines[1].zoomed);
        CHECK(timelines[1].fraction <= 0.15);
        CHECK(timelines[2].zoomed);
    }
}

// The lessons of lessons_drawn(judged), a SECTION each, run on the case's first entry.
void check_every_lesson_drawn(bool judged) {
    static std::map<bool, test::ScratchDir> outs;  // (the runs and pages of every SECTION)
    static std::map<bool, std::map<std::string, DrawnLesson>> drawn;
    setenv("COLUMNS", "80", 1);  // and every line the terminal gets fits a projector's 80 columns
    if (!drawn.contains(judged)) drawn[judged] = lessons_drawn(outs[judged].path, judged);
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        lab::Scenario scenario = lab::load_scenario(file);
        if (page_judges_times(scenario.name) != judged) continue;
        SECTION(scenario.name) { check_drawn_lesson(scenario, drawn[judged].at(scenario.name)); }
    }
    unsetenv("COLUMNS");
}

}  // namespace

TEST_CASE("report.html renders one timeline bar per request in Chromium", "[browser][pages]") {
    test::ScratchDir out;
    auto run = test::run_lab("run blocking-async --delay 20 --repeat 1 --quiet --out " +
                             out.path.string());
    REQUIRE(run.exit_code == 0);
    std::string dom = rendered_dom(test::newest_run(out.path, "blocking-async") / "report.html",
                                   out.path / "profile");
    std::smatch bars;
    REQUIRE(std::regex_search(dom, bars, std::regex("data-rendered-bars=\"(\\d+)\"")));
    CHECK(std::stoi(bars[1]) == 20);  // 10 requests × 2 configurations, the median batch of each
    CHECK(dom.find("<svg class=\"timeline\"") != std::string::npos);
    CHECK(dom.find("src=") == std::string::npos);  // nothing is fetched: no scripts, images,
    CHECK(dom.find("href=") == std::string::npos);  // or style sheets from anywhere
}

// Every shipped scenario but the one whose page check judges its times (page_judges_times), run
// small and drawn by Chromium (check_drawn_lesson): `browser-pages`, which may run beside others.
TEST_CASE(
    "every scenario's report.html shares one time axis and charts its key figure with a legend",
    "[browser][pages]") {
    check_every_lesson_drawn(false);
}

// blocking-async's page, with every check of the case above, and its wall drawn at most a tenth
// of its staircase: a check of its measured times, so in `browser`, which runs alone.
TEST_CASE("blocking-async's report.html draws its wall a tenth of its staircase, on one time axis",
          "[browser]") {
    check_every_lesson_drawn(true);
}

// A `lab load`'s page leads with what a load tester's user reads first: the latency histogram,
// every colour in its legend, and its timeline on the run's own axis.
TEST_CASE("lab load's report.html charts its latency histogram with a legend", "[browser][pages]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    test::ScratchDir out;
    auto run = test::run_lab("load http://127.0.0.1:" + std::to_string(server.port()) +
                             "/delay?ms=5 -c 10 -n 300 --quiet --out " + out.path.string());
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    std::string dom =
        rendered_dom(test::newest_run(out.path, "load") / "report.html", out.path / "profile");
    const std::string body = dom.substr(dom.find("<body"));
    CHECK(test::html_attribute(body, "data-key-figure") == "latency-histogram");
    CHECK(test::html_attribute(body, "data-unlegended-colours") == "0");
    CHECK(dom.find("section class=\"chart key-figure\"") < dom.find("<table>"));
    CHECK(dom.find("<svg class=\"latency-histogram\" data-answers=\"300\"") != std::string::npos);
}

// `lab doctor`'s page: the routes' table first, then every route at once on one timeline, each
// colour (a route, the loop's holds, the bystander) in its legend, then each route's burst alone.
TEST_CASE(
    "lab doctor's report.html leads with the routes, then all of them on one timeline, every "
    "colour in its legend",
    "[browser]") {
    test::ScratchDir out;
    auto run = test::run_lab("doctor --example -n 4 --out " + out.path.string());
    INFO(run.output);
    REQUIRE(run.exit_code == 1);  // the shop's culprits hold the loop
    std::string dom =
        rendered_dom(test::newest_run(out.path, "doctor") / "report.html", out.path / "profile");
    const std::string body = dom.substr(dom.find("<body"));
    CHECK(test::html_attribute(body, "data-unlegended-colours") == "0");
    REQUIRE(dom.find("<table class=\"routes\">") != std::string::npos);
    CHECK(dom.find("<table class=\"routes\">") <
          dom.find("section class=\"chart timeline-chart mixed\""));
    CHECK(dom.find("section class=\"chart timeline-chart mixed\"") <
          dom.find("Each route's burst alone"));
    CHECK(dom.find("class=\"hold named\"") != std::string::npos);
}

// The live view, as a projector shows it: Chromium opens the page while `lab run --live` waits
// for it, and the page's own script notes how many bars it had drawn while requests were still
// unanswered, and how many it shows when the run is over (each configuration's last batch). The
// virtual time budget runs out only once the event stream has closed, at the end of the run.
TEST_CASE("the live page draws bars while the run goes and 10 + 10 at its end", "[browser]") {
    test::ScratchDir out;
    std::string said;
    int status = 0;
    std::string dom = live_page_of("run blocking-async --repeat 1", out.path, said, status);
    INFO(said);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
    CHECK(test::html_attribute(body, "data-done") == "yes");
    std::string while_running = test::html_attribute(body, "data-bars-while-running");
    REQUIRE_FALSE(while_running.empty());
    CHECK(std::stoi(while_running) >= 10);  // all ten sent before the first answer
    CHECK(test::html_attribute(body, "data-final-bars") == "20");
    CHECK(dom.find("src=") ==
          std::string::npos);  // one self-contained file: nothing fetched elsewhere
    CHECK(dom.find("href=") == std::string::npos);
}

// Issue 40: gil-convoy's live page drew the computing requests but not the health checks, which
// are its lesson. Each lane now has a row of the bystander's requests, sent to answered.
TEST_CASE(
    "the live page draws the bystander's requests of a lesson with one (gil-convoy's GET /health)",
    "[browser]") {
    test::ScratchDir out;
    std::string said;
    int status = 0;
    std::string dom = live_page_of("run gil-convoy --repeat 1 --delay 50", out.path, said, status);
    INFO(said);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
    CHECK(test::html_attribute(body, "data-done") == "yes");
    REQUIRE_FALSE(test::html_attribute(body, "data-probe-bars").empty());
    // Each batch runs at least 50 ms with a probe every 10 ms: at least a few on each of the two
    // lanes.
    CHECK(std::stoi(test::html_attribute(body, "data-probe-bars")) >= 4);
    CHECK(body.find("GET /health, meanwhile:") != std::string::npos);
}

// The live page of `run` at its end, in a window 807 px tall (664 inside, with these options): it
// ends within that window, and within a projector's 720 px. (What is drawn, whatever the times:
// its cases run in browser-live-pages, beside the groups that time nothing.)
static std::string end_within_the_window(const std::string& run) {
    test::ScratchDir out;
    std::string said;
    int status = 0;
    const std::string dom = live_page_of(run, out.path, said, status, "1280,807");
    INFO(run << "\n" << said);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
    REQUIRE(test::html_attribute(body, "data-done") == "yes");
    const int window = std::stoi(test::html_attribute(body, "data-window-height"));
    CHECK(window <= 720);
    CHECK(std::stoi(test::html_attribute(body, "data-page-height")) <= window);
    return body;
}

// Issue 67: cpu-bound's five lanes, each with its guess, end within a projector's 720 px (796
// before), in the window's inside (a window 807 px tall is 664 inside, with these options). The
// titles, the guesses' strips and the bars grow thinner, and every request is still drawn (no
// lane draws one row in k). A page's height is its lanes' and requests', whatever d: the runs
// here wait 20 ms a request (the guesses scaled with it), as quick as a page can be drawn.
TEST_CASE("five lanes with guesses end within a 720 px window", "[browser][pages][live]") {
    const std::string body =
        end_within_the_window("run cpu-bound --repeat 1 --delay 20 --predict 0.2,0.2,0.1,0.1,0.1");
    CHECK(test::html_attribute(body, "data-guess-bars") == "5");
    CHECK(test::html_attribute(body, "data-final-bars") == "50");
}

// Issue 67: thread-cliff's nine lanes end within the same window (825 px before): a column that
// says the same in every row is said once, down the rows (no column dropped), and the lanes stand
// in two columns on their one time axis.
TEST_CASE("nine lanes end within a 720 px window, every column of the table kept",
          "[browser][pages][live]") {
    const std::string body = end_within_the_window("run thread-cliff --repeat 1 --delay 20");
    std::size_t columns = 0;  // (the table's, none dropped)
    for (auto at = body.find("<th>"); at != std::string::npos; at = body.find("<th>", at + 1))
        ++columns;
    CHECK(columns == 8);
    CHECK(body.find("rowspan=\"9\"") != std::string::npos);
    CHECK(body.find("id=\"lanes\" class=\"columns\"") != std::string::npos);
}

// Predict, then observe: the class's guesses are outlined bars on the page before the run's first
// answer (the page counts the visible ones then); a makespan's on each lane's time axis, any
// other figure's in a panel where the measured value fills in beside it.
TEST_CASE(
    "the live page shows the guesses as outlined bars before the first answer, and the measured "
    "beside them",
    "[browser]") {
    for (const char* run : {"run blocking-async --repeat 1 --delay 20 --predict 0.1,0.1",
                            "run head-of-line --repeat 1 --delay 20 --predict 100,1,"}) {
        test::ScratchDir out;
        std::string said;
        int status = 0;
        std::string dom = live_page_of(run, out.path, said, status);
        INFO(run << "\n" << said);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
        CHECK(test::html_attribute(body, "data-done") == "yes");
        const bool makespan = std::string(run).find("blocking-async") != std::string::npos;
        const std::string guessed =
            "2";  // (blocking-async's two rows; head-of-line's first two, its third has none)
        CHECK(test::html_attribute(body, "data-guess-bars-before-run") == guessed);
        CHECK(test::html_attribute(body, "data-guess-bars-at-first-answer") == guessed);
        CHECK(test::html_attribute(body, "data-guess-bars") == guessed);
        CHECK(body.find("your guess, before the run") != std::string::npos);  // its legend
        // Issue 67: its end fits the projector's window, 1024 x 768 (head-of-line's three lanes,
        // panel and table were taller: the lanes share one axis, drawn once, the table smaller).
        CHECK(std::stoi(test::html_attribute(body, "data-page-height")) <= 768);
        // And its report.html charts the guesses beside the measured bars, with a legend entry.
        std::filesystem::path report;
        for (const auto& scenario : std::filesystem::directory_iterator(out.path))
            if (scenario.is_directory() && scenario.path().filename() != "profile")
                for (const auto& folder : std::filesystem::directory_iterator(scenario.path()))
                    report = folder.path() / "report.html";
        std::string page = rendered_dom(report, out.path / "profile-report");
        std::string page_body = page.substr(std::min(page.size(), page.find("<body")));
        CHECK(test::html_attribute(page_body, "data-unlegended-colours") == "0");
        CHECK(page.find("class=\"bar figure guess\"") != std::string::npos);
        CHECK(page.find(">your guess</span>") != std::string::npos);
        if (!makespan) {  // the panel: each row's measured bar once the run had it
            std::size_t measured = 0;
            for (std::size_t at = body.find("class=\"measured\""); at != std::string::npos;
                 at = body.find("class=\"measured\"", at + 1))
                ++measured;
            CHECK(measured == 3);
        }
    }
}

// Issue 40: with --predict-page the projector's page showed no address to guess at, no count, and
// no mark for the room's guesses, before or after the run. Now: the address and its QR code, the
// count as guesses come, each guess a tick with the median marked, before the run and after it.
TEST_CASE(
    "the projector shows where to guess, the count, and the room's guesses before and after the "
    "run",
    "[browser]") {
    test::ScratchDir out;
    test::PipedLab piped = room_run(out.path, "3");  // (issue 67: a room of 3)
    REQUIRE(piped.said);
    FILE* said = piped.said;
    std::string text;
    const std::string page =
        test::read_until(said, "live view: (http://127\\.0\\.0\\.1:[0-9]+/)", text);
    const std::string port =
        test::read_until(said, "guesses: http://127\\.0\\.0\\.1:([0-9]+)/guess", text);
    INFO(text);
    REQUIRE_FALSE(port.empty());
    CHECK(text.find("press Enter") != std::string::npos);  // one rule starts the run
    CHECK(text.find("when it connects") == std::string::npos);
    httplib::Client room("127.0.0.1", std::stoi(port));
    // Each with a choice (issue 58): "at least 3 times as long" twice, "about as long" once.
    const char* bodies[] = {R"({"guesses": ["0.5", "0.1"], "choice": 0})",
                            R"({"guesses": ["1.0", "0.2"], "choice": 1})",
                            R"({"guesses": ["2", ""], "choice": 0})"};
    for (const char* body : bodies) {
        auto form = room.Get("/guess/form");
        REQUIRE(form);
        CHECK(nlohmann::json::parse(form->body)["choices"].size() == 3);
        const std::string cookie = form->get_header_value("Set-Cookie");
        const httplib::Headers sender{{"Cookie", cookie.substr(0, cookie.find(';'))}};
        // A choice out of range: refused, and the hub keeps serving.
        CHECK(
            room.Post("/guess", sender, R"({"guesses": ["", ""], "choice": 3})", "application/json")
                ->status == 400);
        CHECK(room.Post("/guess", sender, body, "application/json")->status == 200);
    }
    {  // A fourth, in a room of 3: told the room is full (409), and the terminal says so.
        auto form = room.Get("/guess/form");
        REQUIRE(form);
        const std::string cookie = form->get_header_value("Set-Cookie");
        auto late = room.Post("/guess", {{"Cookie", cookie.substr(0, cookie.find(';'))}},
                              R"({"guesses": ["1", "1"]})", "application/json");
        REQUIRE(late);
        CHECK(late->status == 409);
        CHECK(late->body.find("the room is full") != std::string::npos);
        CHECK_FALSE(
            test::read_until(said, "(the room is full \\(3\\)); press Enter", text).empty());
    }
    {  // The phone's form offers the lesson's choices, as radio buttons.
        const std::string form = phone_form_of(port, out.path / "phone");
        std::size_t radios = 0;
        for (auto at = form.find("type=\"radio\""); at != std::string::npos;
             at = form.find("type=\"radio\"", at + 1))
            ++radios;
        CHECK(radios == 3);
        CHECK(form.find("And which will the run show?") != std::string::npos);
    }
    {  // Issue 67: and at 375 x 667, Send is on the screen and nothing is wider than it.
        const nlohmann::json phone = phone_view(port);
        INFO(phone.dump());
        CHECK(phone.value("sendBottom", 1000) <= 667);
        CHECK(phone.value("pageWidth", 1000) == 375);
    }
    const std::string dom = projector_after_enter(piped, page, "1280,720", out.path, text);
    CHECK(piped.finish(text) == 0);
    const std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
    CHECK(test::html_attribute(body, "data-done") == "yes");
    CHECK(test::html_attribute(body, "data-room-count") == "3");
    CHECK(body.find("3 of 3 guesses from the room") != std::string::npos);
    CHECK(test::html_attribute(body, "data-room-ticks-before-run") ==
          "5");  // 3 + 2 guesses, a tick each
    CHECK(test::html_attribute(body, "data-room-medians-before-run") == "2");
    CHECK(test::html_attribute(body, "data-room-ticks") ==
          "5");  // and after the run, on the lanes' time axis
    CHECK(test::html_attribute(body, "data-room-medians") == "2");
    CHECK(test::html_attribute(body, "data-room-qr") ==
          "25");  // http://127.0.0.1:PORT/guess: 28 bytes, version 2
    CHECK(body.find("127.0.0.1:" + port + "/guess</p>") !=
          std::string::npos);  // the address, as text
    // The choices at the end: how many of the room picked each, and the misconception picked.
    CHECK(body.find("(2 of the room's 3 picks)") != std::string::npos);
    CHECK(body.find("(1 of the room's 3 picks)") != std::string::npos);
    CHECK(body.find("→ the misconception “async def makes a route concurrent”") !=
          std::string::npos);
    // Its end fits a projector's 1280 × 720, footnote and choices included (it was 741 px tall).
    CHECK(std::stoi(test::html_attribute(body, "data-page-height")) <= 720);
    // The guess of 2 s, past the lanes' axis (which stretches to 1.15 x 4 x the plan's, about
    // 1.06 s, for a guess): an arrowhead at its end, with a legend.
    CHECK(test::html_attribute(body, "data-room-past") == "1");
    CHECK(body.find("id=\"past-legend\" hidden") == std::string::npos);
}

// Issue 67: at 1024 x 768 the projector's address broke mid-word; and while the terminal asked the
// class, the projector said only "Waiting for the run…".
TEST_CASE("the projector's address is one line at 1024x768; the terminal's question is shown",
          "[browser][pages][live]") {
    test::ScratchDir out;
    test::PipedLab piped = room_run(out.path);
    REQUIRE(piped.said);
    std::string text;
    const std::string page =
        test::read_until(piped.said, "live view: (http://127\\.0\\.0\\.1:[0-9]+/)", text);
    const std::string dom = projector_after_enter(piped, page, "1024,768", out.path, text);
    CHECK(piped.finish(text) == 0);
    CHECK(test::html_attribute(dom, "data-room-address-fits") == "yes");
    test::ScratchDir asked;  // --predict on the terminal (its answers from a file), --live
    std::ofstream(asked.path / "answers") << "0.1\n0.1\n1\n";
    std::string said;
    int status = 0;
    const std::string shown = live_page_of(
        "run blocking-async --repeat 1 --delay 20 --predict <" + (asked.path / "answers").string(),
        asked.path, said, status);
    INFO(said);
    CHECK(status == 0);
    CHECK(test::html_attribute(shown, "data-question-shown") == "3");  // its 3 choices
    CHECK(test::html_attribute(shown, "data-guess-bars") == "2");
    CHECK(shown.find("id=\"status\">Before the run") == std::string::npos);  // (the run's now)
}

// `lab load --live` of a timed closed loop (its first 200 requests drawn) and of an open loop (one
// in every few, all the way through); the page counts every answer, and ends with the summary's
// count.
TEST_CASE("lab load --live draws at most 200 requests a batch and counts every answer",
          "[browser]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    auto load = GENERATE(as<std::string>{}, "-c 10 -z 1s", "--rate 300 -z 1s");
    test::ScratchDir out;
    std::string said;
    int status = 0;
    std::string dom = live_page_of(
        "load http://127.0.0.1:" + std::to_string(server.port()) + "/delay?ms=2 " + load, out.path,
        said, status);
    INFO(said);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
    CHECK(test::html_attribute(body, "data-done") == "yes");
    // Timed: the first 200 bars; 300 requests due: one in ceil(300 / 200) = 2 of them, all the way
    // through.
    const bool open_loop = load.find("--rate") != std::string::npos;
    CHECK(test::html_attribute(body, "data-final-bars") ==
          std::to_string(open_loop ? 150 : lab::live_drawn_requests));
    std::string answered = "300";  // the open loop: 300 a second for 1 s, all answered
    if (!open_loop) {  // the closed loop: as many as the summary counted
        std::smatch m;
        REQUIRE(std::regex_search(said, m, std::regex(R"(Requests:\s+([0-9]+) )")));
        CHECK(std::stoi(m[1]) >
              lab::live_drawn_requests);  // 10 connections × 1 s / 2 ms: thousands
        answered = m[1];
    }
    CHECK(test::html_attribute(body, "data-answered") == answered);
    // Its report leads with a load tester's figure, not a batch's makespan titled with a -n that
    // did not run.
    std::string page = test::read_file(test::newest_run(out.path, "load") / "report.html");
    CHECK(page.find(open_loop ? "data-figure=\"latency-over-time\""
                              : "data-figure=\"latency-histogram\"") != std::string::npos);
    CHECK(page.find("How long all") == std::string::npos);
}

// Demonstration 2 on the live page (`lab serve --live`): a health check sent while a blocked loop
// waits is seen, at least 4 px wide however short, on the row after the long request's, waiting
// from when its bytes arrived.
TEST_CASE(
    "lab serve --live draws a health check behind a blocked loop, visible and after the long "
    "request",
    "[browser]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "blocking-in-loop", "--live"});
    std::smatch m;
    std::string log = server.log();
    REQUIRE(std::regex_search(log, m, std::regex("live view: (http://127\\.0\\.0\\.1:[0-9]+/)")));
    const std::string page = m[1];
    std::thread slow([&] {
        httplib::Client client(server.host(), server.port());
        client.set_read_timeout(std::chrono::seconds(10));
        client.Get("/delay?ms=1000");
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    httplib::Client client(server.host(), server.port());
    client.set_read_timeout(std::chrono::seconds(10));
    REQUIRE(client.Get("/health"));  // answered once the loop is free: after the second
    slow.join();

    test::ScratchDir out;
    std::string browse =
        "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=1280,900 "
        "--virtual-time-budget=3000 --user-data-dir=" +
        (out.path / "profile").string() + " --dump-dom '" + page +
        "?answers=2' 2>/dev/null";  // the long wait's and the health check's
    FILE* chromium = popen(browse.c_str(), "r");
    REQUIRE(chromium);
    const std::string dom = said_to_end(chromium);
    std::string bars = test::html_attribute(dom.substr(std::min(dom.size(), dom.find("<body"))),
                                            "data-serve-bars");
    bars = std::regex_replace(bars, std::regex("&quot;"),
                              "\"");  // as the DOM dump escapes the attribute
    INFO(bars);
    REQUIRE_FALSE(bars.empty());
    double health_top = -1, health_width = -1, health_waiting = -1, delay_top = -1,
           delay_width = -1;
    for (const auto& bar : nlohmann::json::parse(bars)) {
        const std::string what = bar["what"];
        if (what.starts_with("/health"))
            health_top = bar["top"], health_width = bar["width"], health_waiting = bar["waiting"];
        if (what.starts_with("/delay")) delay_top = bar["top"], delay_width = bar["width"];
    }
    CHECK(health_width >= 4);
    CHECK(delay_top >= 0);
    CHECK(health_top > delay_top);
    // Its bytes waited in the socket from 0.1 s into the second the loop slept: drawn as waiting
    // (the kernel's arrival stamp), most of the long bar's width, not a sliver at its end.
    CHECK(health_waiting >= 0.5 * delay_width);
    CHECK(health_waiting <= delay_width);
}

// A class's page (lab exercise check --class) on a projector's 1280 × 720: 30 students, long names
// and a long reason why one did not start, every column in the window (nothing to scroll
// sideways), the shared mistake above the table.
TEST_CASE("a class's page fits a projector's width", "[browser][pages]") {
    lab::ClassGrades grades{.exercise = "blocking-db", .expectations = {"E1", "E2", "E3"}};
    for (int i = 0; i < 30; ++i)
        grades.students.push_back(
            {.name = "A student with a long name " + std::to_string(i),
             .seed = 100000 + i,
             .grade = i == 3 ? "did not start: your app: main.py failed to import: File "
                               "\"/home/student/room/a-student-with-a-long-name-3/main.py\", "
                               "line 1 | SyntaxError: '(' was never closed"
                             : "✗",
             .marks = {"✗", "✗", "✓"},
             .missed = "✗ E1 Queries that arrive together are answered together",
             .held = "870 ms: main.py:15 report → cursor.execute",
             .took_s = 5.5});
    test::ScratchDir dir;
    const auto page = dir.write("class.html", lab::class_page(grades));
    const std::string dom = rendered_dom(page, dir.path / "profile", "1280,720");
    const std::string body = dom.substr(dom.find("<body"));
    CHECK(test::html_attribute(body, "data-overflow-x") == "0");
    CHECK(dom.find("30 students (A student") < dom.find("<table"));
}
