// `lab replay` in headless Chromium, on a results folder made up here (no timed run): the page
// hands on the recorded events in their order at their recorded times, slowed by the factor asked;
// paused, it shows what the steps reached and no more. (Chromium's virtual time: no waiting.)
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <tuple>

#include <nlohmann/json.hpp>

#include "lab/layout.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

// Chromium's DOM of the replay's page, `query` after its address, once `budget_ms` of virtual time
// ran.
std::string replayed_page(const fs::path& folder, const std::string& slow, const std::string& query,
                          int budget_ms, const fs::path& profile) {
    test::PipedLab lab =
        test::spawn_lab_piped({"replay", folder.string(), "--slow", slow, "--batch", "2"});
    std::string said;
    const std::string url =
        test::read_until(lab.said, "live view: (http://127\\.0\\.0\\.1:[0-9]+/)", said);
    INFO(said);
    REQUIRE_FALSE(url.empty());
    const std::string browse =
        "timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--window-size=1024,768 "
        "--virtual-time-budget=" +
        std::to_string(budget_ms) + " --user-data-dir=" + profile.string() + " --dump-dom '" + url +
        query + "' 2>/dev/null";
    const std::string dom = test::run_shell(browse).output;
    kill(lab.pid, SIGTERM);
    CHECK(lab.finish(said) == 0);  // Ctrl-C (or SIGTERM) ends it cleanly
    return dom;
}

std::string attribute(const std::string& dom, const std::string& name) {
    std::smatch m;
    return std::regex_search(dom, m, std::regex(" " + name + "=\"([^\"]*)\"")) ? m[1].str() : "";
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
        REQUIRE(attribute(dom, "data-done") == "yes");
        auto log = nlohmann::json::parse(
            std::regex_replace(attribute(dom, "data-replay-log"), std::regex("&quot;"), "\""));
        std::vector<nlohmann::json>
            first;  // configuration 0's request events ([type, c, i, t, wall ms])
        for (auto& e : log)
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
    // Paused from the start, three steps (each to the next moment something happened): the clock at
    // the third moment, a bar for each request sent by then, and no further however long the page
    // waits.
    std::vector<double> times;
    for (const auto& m : moments)
        if (times.empty() || std::get<0>(m) > times.back()) times.push_back(std::get<0>(m));
    REQUIRE(times.size() > 3);
    const auto sent_by = std::count_if(moments.begin(), moments.end(), [&](const auto& m) {
        return std::get<1>(m) == 0 && std::get<0>(m) <= times[2];
    });
    const std::string dom =
        replayed_page(folder, "4", "?paused&steps=3", 3'000, dir.path / "profile-paused");
    CHECK(attribute(dom, "data-done").empty());
    CHECK(std::stod(attribute(dom, "data-clock")) == Approx(times[2]).margin(1e-6));
    CHECK(dom.find("run time " + lab::fixed(times[2], 3) + " s") != std::string::npos);
    const std::regex bar("class=\"bar\"");
    CHECK(std::distance(std::sregex_iterator(dom.begin(), dom.end(), bar),
                        std::sregex_iterator()) == sent_by);
}
