// `lab replay` in headless Chromium, on a results folder made up here (no timed run): the page
// hands on the recorded events in their order at their recorded times, slowed by the factor asked;
// paused, it shows what the steps reached and no more. (Chromium's virtual time: no waiting.)
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <tuple>

#include <nlohmann/json.hpp>

#include "lab/layout.hpp"
#include "lab/live/batch_drawing.hpp"
#include "lab/report/report.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

// Chromium's DOM of the page at `url`, once `budget_ms` of its virtual time ran.
std::string chromium_dom(const std::string& url, int budget_ms, const fs::path& profile) {
    const std::string browse =
        "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=1024,768 "
        "--virtual-time-budget=" +
        std::to_string(budget_ms) + " --user-data-dir=" + profile.string() + " --dump-dom '" + url +
        "' 2>/dev/null";
    return test::run_shell(browse).output;
}

// Chromium's DOM of the replay's page, `query` after its address, once `budget_ms` of virtual time
// ran.
std::string replayed_page(const fs::path& folder, const std::string& slow, const std::string& query,
                          int budget_ms, const fs::path& profile, const std::string& batch = "2") {
    test::PipedLab lab =
        test::spawn_lab_piped({"replay", folder.string(), "--slow", slow, "--batch", batch});
    std::string said;
    const std::string url =
        test::read_until(lab.said, "live view: (http://127\\.0\\.0\\.1:[0-9]+/)", said);
    INFO(said);
    REQUIRE_FALSE(url.empty());
    const std::string dom = chromium_dom(url + query, budget_ms, profile);
    kill(lab.pid, SIGTERM);
    CHECK(lab.finish(said) == 0);  // Ctrl-C (or SIGTERM) ends it cleanly
    return dom;
}

// `lab run blocking-async --delay 50 --repeat 1 --live` with `options`, its page watched by
// Chromium to the run's end: the page's DOM, what the lab said, and its results, read back.
struct WatchedRun {
    std::string dom, said;
    fs::path folder;
    lab::RunResult run;
};
WatchedRun watched_live_run(const test::ScratchDir& dir, std::vector<std::string> options) {
    options.insert(options.begin(),
                   {"run", "blocking-async", "--delay", "50", "--repeat", "1", "--live",
                    "--live-wait", "60", "--quiet", "--out", dir.path.string()});
    test::PipedLab run_lab = test::spawn_lab_piped(options);
    WatchedRun watched;
    const std::string url =
        test::read_until(run_lab.said, "live view: (http://127\\.0\\.0\\.1:[0-9]+/)", watched.said);
    REQUIRE_FALSE(url.empty());
    watched.dom = chromium_dom(url, 60'000, dir.path / "profile-live");
    REQUIRE(run_lab.finish(watched.said) == 0);
    watched.folder = lab::results_folder(dir.path / "blocking-async");
    watched.run = lab::read_results(watched.folder);
    REQUIRE(watched.run.configurations.size() == 2);
    return watched;
}

// The page's replay log: [type, configuration, row, recorded t, wall ms when handed on].
nlohmann::json replay_log(const std::string& dom) {
    return nlohmann::json::parse(std::regex_replace(test::html_attribute(dom, "data-replay-log"),
                                                    std::regex("&quot;"), "\""));
}

// The recorded moments of configuration 0's batch 2, in the order they happened: (seconds, kind,
// request).
std::vector<std::tuple<double, int, int>> recorded(const lab::RunResult& run) {
    std::vector<std::tuple<double, int, int>> moments;
    for (const lab::RequestRecord& r : run.configurations[0].batches[1].requests) {
        if (r.send_us < 0) continue;
        int kind = 0;
        for (std::int64_t at : {r.send_us, r.server_start_us, r.server_end_us, r.end_us}) {
            if (at >= 0) moments.emplace_back(static_cast<double>(at) / 1e6, kind, r.index);
            ++kind;
        }
    }
    std::sort(moments.begin(), moments.end());
    return moments;
}

// What a live page shows at its end, as the room reads it: each lane's name and heading (its
// batch, its count done), each lane's axis (its ticks' places and values), the run clock, the
// outlined guesses and the room's marks drawn, the bars, and what it said of each configuration
// as it began.
struct EndState {
    std::vector<std::string> lanes, ticks;
    double clock = -1;
    std::string guesses, room_ticks, room_medians, bars, configurations_said;
    std::size_t choices_said = 0;  // the lesson's choices listed at the end
    std::string footnote, legends, room_line, play;  // legends: the shown ones' words, joined
};

// The text of the element with `id` (its first text run), "" if none.
std::string text_of(const std::string& body, const std::string& id) {
    std::smatch found;
    const std::regex element("id=\"" + id + "\"[^>]*>([^<]*)<");
    return std::regex_search(body, found, element) ? found[1].str() : "";
}

// The legend's entries the page shows (not hidden), their words joined by " | ".
std::string shown_legends(const std::string& body) {
    const std::size_t from = body.find("class=\"legend\""), to = body.find("</div>", from);
    const std::string legend = body.substr(from, to - from);
    const std::regex entry("<span([^>]*)>(?:<[ib][^>]*>[^<]*</[ib]>)?([^<]*)</span>");
    std::string shown;
    for (auto it = std::sregex_iterator(legend.begin(), legend.end(), entry);
         it != std::sregex_iterator(); ++it)
        if ((*it)[1].str().find("hidden") == std::string::npos) shown += (*it)[2].str() + " | ";
    return shown;
}

// Each lane's axis: its ticks' values and places.
std::vector<std::string> ticks_of(const std::string& dom) {
    std::vector<std::string> ticks;
    const std::regex tick("class=\"tick\" style=\"left: ([0-9.]+)%;\">([^<]*)<");
    for (auto it = std::sregex_iterator(dom.begin(), dom.end(), tick); it != std::sregex_iterator();
         ++it)
        ticks.push_back((*it)[2].str() + " at " + (*it)[1].str() + "%");
    return ticks;
}

EndState end_state(const std::string& dom) {
    const std::string body = dom.substr(std::min(dom.size(), dom.find("<body")));
    REQUIRE(test::html_attribute(body, "data-done") == "yes");
    EndState end;
    const std::regex lane("<h2>([^<]*)<small>([^<]*)</small></h2>");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), lane);
         it != std::sregex_iterator(); ++it)
        end.lanes.push_back((*it)[1].str() + " |" + (*it)[2].str());
    end.ticks = ticks_of(body);
    end.clock = std::stod(test::html_attribute(body, "data-clock"));
    end.guesses = test::html_attribute(body, "data-guess-bars");
    end.room_ticks = test::html_attribute(body, "data-room-ticks");
    end.room_medians = test::html_attribute(body, "data-room-medians");
    end.bars = test::html_attribute(body, "data-final-bars");
    end.configurations_said = test::html_attribute(body, "data-configurations-said");
    end.footnote = text_of(body, "note");
    end.legends = shown_legends(body);
    end.room_line = text_of(body, "room-count");
    end.play = text_of(body, "play");
    const std::size_t box = body.find("id=\"choices\"");
    const std::string choices = body.substr(box, body.find("</div>", box) - box);
    for (std::size_t at = choices.find("<p"); at != std::string::npos;
         at = choices.find("<p", at + 1))
        ++end.choices_said;
    return end;
}

// The last moment of a recorded batch the page draws (on its own axis, from 0), in seconds: its
// requests' (sent, begun, ended, answered) and the bystander's answers.
double last_moment_s(const lab::Batch& batch) {
    std::int64_t last = 0;
    for (const lab::RequestRecord& r : batch.requests)
        if (r.send_us >= 0)
            last = std::max({last, r.send_us, r.server_start_us, r.server_end_us, r.end_us});
    for (const lab::RequestRecord& p : batch.probes)
        if (p.send_us >= 0 && p.index < lab::live_drawn_requests) last = std::max(last, p.end_us);
    return static_cast<double>(last) / 1e6;
}

}  // namespace

TEST_CASE(
    "lab replay hands on the recorded events in order at their recorded times, at two speeds; "
    "paused, only what the steps reached",
    "[browser]") {
    test::ScratchDir dir;
    lab::Scenario s = test::shipped().front();
    for (const lab::Scenario& shipped : test::shipped())
        if (shipped.name == "blocking-async") s = shipped;
    const fs::path folder = lab::write_results(test::made_up_run(s), dir.path);
    const auto moments = recorded(lab::read_results(folder));
    const char* kinds[] = {"sent", "start", "end", "answered"};

    for (const char* slow : {"4", "16"}) {
        INFO("--slow " << slow);
        const std::string dom =
            replayed_page(folder, slow, "", 20'000, dir.path / ("profile" + std::string(slow)));
        REQUIRE(test::html_attribute(dom, "data-done") == "yes");
        const nlohmann::json log = replay_log(dom);
        std::vector<nlohmann::json>
            first;  // configuration 0's request events ([type, c, i, t, wall ms])
        for (const auto& e : log)
            if (e[1] == 0 && e[2] != -1 && e[0] != "probe" && e[0] != "count") first.push_back(e);
        REQUIRE(first.size() == moments.size());
        for (std::size_t k = 0; k < first.size(); ++k) {
            INFO("event " << k << ": " << first[k].dump());
            CHECK(first[k][0] == kinds[std::get<1>(moments[k])]);
            CHECK(first[k][2] == std::get<2>(moments[k]));
            CHECK(first[k][3].get<double>() == Approx(std::get<0>(moments[k])).margin(1e-6));
            // Handed on at the recorded time since the first, slowed: within a tick of the page's
            // timer (10 ms) and a frame.
            const double due_ms =
                std::stod(slow) * 1000 * (std::get<0>(moments[k]) - std::get<0>(moments[0]));
            CHECK(first[k][4].get<double>() - first[0][4].get<double>() ==
                  Approx(due_ms).margin(30));
        }
    }
    // Paused from the start, three steps (each to the next moment a bar moved: a send, a start, an
    // answer; a server's end alone moves none): the clock at the third such moment, a bar for each
    // request sent by then, and no further however long the page waits.
    std::vector<double> times;
    for (const auto& m : moments)
        if (std::get<1>(m) != 2 && (times.empty() || std::get<0>(m) > times.back()))
            times.push_back(std::get<0>(m));
    REQUIRE(times.size() > 3);
    const auto sent_by = std::count_if(moments.begin(), moments.end(), [&](const auto& m) {
        return std::get<1>(m) == 0 && std::get<0>(m) <= times[2];
    });
    const std::string dom =
        replayed_page(folder, "4", "?paused&steps=3", 3'000, dir.path / "profile-paused");
    CHECK(test::html_attribute(dom, "data-done").empty());
    CHECK(std::stod(test::html_attribute(dom, "data-clock")) == Approx(times[2]).margin(1e-6));
    CHECK(dom.find("run time " + lab::fixed(times[2], 3) + " s") != std::string::npos);
    const std::regex bar("class=\"bar\"");
    CHECK(std::distance(std::sregex_iterator(dom.begin(), dom.end(), bar),
                        std::sregex_iterator()) == sent_by);
}

// Issue 43's "done when", on a real run: `lab run blocking-async --live --slow 20` (d = 50 ms, one
// batch) replays each batch on the page after it, at its recorded times 20× slower, while the run
// itself is not slowed; then `lab replay --slow 20` of the folder it wrote, read at two early
// moments, shows the clock gone on by the virtual time between them over 20, and the staircase
// grown by the answers recorded in between. (Chromium's virtual time: the 20× costs no waiting.)
TEST_CASE(
    "a real run: lab run --live --slow 20 replays each batch after it unslowed, and lab replay "
    "grows its staircase at a twentieth of the page's time",
    "[browser]") {
    test::ScratchDir dir;
    const auto [live, said, folder, run] = watched_live_run(dir, {"--slow", "20"});
    INFO(said);

    // The measurement is not slowed: the blocking row's 10 waits of 50 ms one after another take at
    // least 0.5 s, and both rows end far sooner than the replay's 20× (10 s and 1 s).
    const double stretched[] = {20 * 0.5, 20 * 0.05};
    for (std::size_t c = 0; c < 2; ++c) {
        INFO(run.configurations[c].configuration.label);
        REQUIRE(run.configurations[c].batches.size() == 1);
        CHECK(run.configurations[c].batches[0].stats.makespan_s >= (c == 0 ? 0.5 : 0.05));
        CHECK(run.configurations[c].batches[0].stats.makespan_s < stretched[c] / 2);
    }
    // Each row's measured batch (its last ten answers on the page, after its warm-up's) handed on
    // at its recorded answers' times, 20× slower, and the second row's after the first's.
    REQUIRE(test::html_attribute(live, "data-done") == "yes");
    const nlohmann::json log = replay_log(live);
    double last_wall_of_first = 0;
    for (std::size_t c = 0; c < 2; ++c) {
        std::vector<nlohmann::json> answered;
        for (const auto& e : log)
            if (e[0] == "answered" && e[1] == c) answered.push_back(e);
        REQUIRE(answered.size() >= 10);
        answered.erase(answered.begin(), answered.end() - 10);
        std::vector<double> recorded;
        for (const lab::RequestRecord& r : run.configurations[c].batches[0].requests)
            recorded.push_back(static_cast<double>(r.end_us) / 1e6);
        std::sort(recorded.begin(), recorded.end());
        for (std::size_t k = 0; k < 10; ++k) {
            INFO("row " << c << ", answer " << k << ": " << answered[k].dump());
            CHECK(answered[k][3].get<double>() == Approx(recorded[k]).margin(1e-6));
            CHECK(answered[k][4].get<double>() - answered[0][4].get<double>() ==
                  Approx(20'000 * (recorded[k] - recorded[0])).margin(30));
        }
        if (c == 0) last_wall_of_first = answered.back()[4].get<double>();
        else CHECK(answered.front()[4].get<double>() > last_wall_of_first);
    }

    // `lab replay` of that folder, 2 s and 6 s of the page's time in: 0.1 s and 0.3 s of the run.
    std::vector<double> answers;  // the blocking row's, as recorded
    for (const lab::RequestRecord& r : run.configurations[0].batches[0].requests)
        answers.push_back(static_cast<double>(r.end_us) / 1e6);
    const std::regex answered_bar("title=\"request [0-9]+: sent [^\"]*, answered ");
    double clock[2];
    long bars[2];
    for (int m = 0; m < 2; ++m) {
        const std::string dom = replayed_page(folder, "20", "", m == 0 ? 2'000 : 6'000,
                                              dir.path / ("profile" + std::to_string(m)), "1");
        clock[m] = std::stod(test::html_attribute(dom, "data-clock"));
        bars[m] = std::distance(std::sregex_iterator(dom.begin(), dom.end(), answered_bar),
                                std::sregex_iterator());
        const auto due =
            std::count_if(answers.begin(), answers.end(), [&](double t) { return t <= clock[m]; });
        INFO("moment " << m << ": run time " << clock[m] << " s");
        std::smatch shown;  // the page's own clock, as the room reads it (to the millisecond)
        REQUIRE(std::regex_search(dom, shown, std::regex("run time ([0-9.]+) s")));
        CHECK(std::stod(shown[1]) == Approx(clock[m]).margin(0.0006));
        CHECK(std::abs(bars[m] - due) <= 1);  // (an answer due within a tick of the clock)
    }
    CHECK(clock[1] - clock[0] == Approx((6.0 - 2.0) / 20).margin(0.02));
    CHECK(bars[1] > bars[0]);
}

// Issue 58: the replay is the live page fed from the records. A real run (two configurations, one
// batch each, the class's guesses) watched live in Chromium, then `lab replay` of its folder: the
// page ends the same, lane by lane: the configurations' names, "batch 1 of 1 · 10 of 10 done", the
// axis's ticks (the models' from the plan, stretched the same), the guesses outlined, the same
// bars, "Configuration 2 of 2", and one run clock over both configurations' batches. Both clocks
// are sums of the same microsecond stamps (the live page's from the run's events, the replay's
// from its records), so they agree to the page's rounding (10^-6 s): each is also the recorded
// batches' last moments added up.
TEST_CASE("lab replay ends as the live page of the same run: names, counts, axis, clock, guesses",
          "[browser]") {
    test::ScratchDir dir;
    const auto [live_dom, said, folder, run] = watched_live_run(dir, {"--predict", "0.4,0.1"});
    INFO(said);
    const EndState live = end_state(live_dom);
    const EndState replayed =
        end_state(replayed_page(folder, "2", "", 30'000, dir.path / "profile-replay", "1"));

    REQUIRE(live.lanes.size() == 2);
    double recorded_s = 0;
    for (std::size_t c = 0; c < 2; ++c) {
        const lab::ConfigurationResult& r = run.configurations[c];
        CHECK(live.lanes[c].find(r.configuration.label.substr(0, 12)) == 0);
        CHECK(live.lanes[c].find("batch 1 of 1 · 10 of 10 done") != std::string::npos);
        recorded_s += last_moment_s(r.batches[0]);
    }
    CHECK(replayed.lanes == live.lanes);
    CHECK_FALSE(live.ticks.empty());
    CHECK(replayed.ticks == live.ticks);
    // The same axis from the start: the replay's first moment drawn on the axis it ends with.
    CHECK(ticks_of(replayed_page(folder, "2", "?paused&steps=1", 3'000, dir.path / "profile-early",
                                 "1")) == live.ticks);
    CHECK(live.configurations_said ==
          "Configuration 1 of 2: " + run.configurations[0].configuration.label +
              " | Configuration 2 of 2: " + run.configurations[1].configuration.label);
    CHECK(replayed.configurations_said == live.configurations_said);
    CHECK(live.guesses == "2");
    CHECK(replayed.guesses == live.guesses);
    CHECK(live.bars == "20");
    CHECK(replayed.bars == live.bars);
    CHECK(replayed.legends == live.legends);  // (issue 67: the replay is the live page's end)
    CHECK(replayed.footnote == live.footnote);
    CHECK(replayed.play == "ended");
    CHECK(live.clock == Approx(recorded_s).margin(1e-6));
    CHECK(replayed.clock == Approx(live.clock).margin(1e-6));
}

// The replay's header counts the run's configurations (not those it has met so far), and the
// room's guesses kept with the run are drawn: a tick each, each configuration's median marked;
// the room's choices kept with it are said at the end, as the live page said them.
TEST_CASE("lab replay says configuration 1, then 2, of 2 and draws the room's guesses the run kept",
          "[browser]") {
    test::ScratchDir dir;
    lab::Scenario s = test::shipped().front();
    for (const lab::Scenario& shipped : test::shipped())
        if (shipped.name == "blocking-async") s = shipped;
    REQUIRE(s.configurations.size() == 2);
    s.configurations[0].room_guesses = {0.4, 0.9, 1.5};
    s.configurations[1].room_guesses = {0.1, 0.3};
    REQUIRE(!s.choices.empty());
    s.room_picks.assign(s.choices.size(), 1);
    s.configurations[0].document_s = 0.001;  // below any floor: the footnote's †
    s.configurations[0].document_text = "1 ms";
    const fs::path folder = lab::write_results(test::made_up_run(s), dir.path);
    const lab::RunResult run = lab::read_results(folder);
    const EndState end = end_state(replayed_page(folder, "4", "", 20'000, dir.path / "profile"));
    CHECK(end.configurations_said ==
          "Configuration 1 of 2: " + run.configurations[0].configuration.label +
              " | Configuration 2 of 2: " + run.configurations[1].configuration.label);
    CHECK(end.room_ticks == "5");
    CHECK(end.room_medians == "2");
    CHECK(end.choices_said == s.choices.size());
    // Issue 67: as the live page ends. The footnote with the run's floor and its reason (it read "†
    // below the physical floor of 0.000 s: ."), the room's legend, and its count (the most of
    // any configuration's guesses, and of the choices' picks: 3).
    CHECK(end.footnote == lab::below_floor_note(run));
    CHECK(end.footnote.find("of 0.000 s") == std::string::npos);
    CHECK(end.legends.find("a guess from the room | the room's median") != std::string::npos);
    CHECK(end.room_line == "3 guesses from the room");
    CHECK(end.play == "ended");
    double recorded_s = 0;  // (batch 2 of each, as replayed_page asks)
    for (const lab::ConfigurationResult& r : run.configurations)
        recorded_s += last_moment_s(r.batches[1]);
    CHECK(end.clock == Approx(recorded_s).margin(1e-6));
    REQUIRE(end.lanes.size() == 2);
    CHECK(end.lanes[1].find("batch 2 of " + std::to_string(s.load.repeat)) != std::string::npos);
}
