// The mode registry is the one place that knows the modes: everything else asks it.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "lab/modes/modes.hpp"
#include "lab/report/report.hpp"
#include "lab/scenario/scenario.hpp"
#include "lab/server/explain.hpp"
#include "lab/server/loop_monitor.hpp"
#include "lab/server/server_stats.hpp"

TEST_CASE("every mode in the registry is complete", "[unit]") {
    std::ifstream apps(std::string(LAB_SOURCE_DIR) + "/lab/reference/apps.py");
    std::stringstream text;
    text << apps.rdbuf();
    for (const lab::ModeInfo& mode : lab::all_modes()) {
        INFO(mode.name);
        CHECK(lab::find_mode(mode.name) == &mode);
        CHECK(!mode.summary.empty());
        CHECK(!mode.document_term.empty());
        REQUIRE(mode.model != nullptr);
        CHECK(!mode.model(lab::ServerShape{std::string(mode.name)}).formula.empty());
        CHECK(text.str().find(std::string(mode.fastapi_variant) + " =") !=
              std::string::npos);  // a real route
        CHECK((mode.served_by == "thread" || mode.served_by == "worker"));
    }
    CHECK(lab::find_mode("external") == nullptr);
    CHECK(lab::model_of(lab::ServerShape{"external"}).formula.empty());
}

TEST_CASE("a mode's options are spelled by the registry, only where they apply", "[unit]") {
    CHECK(lab::mode_with_options("blocking-in-loop", 10, 2, lab::Balance::shared) ==
          "blocking-in-loop");
    CHECK(lab::mode_with_options("thread-pool", 10, 2, lab::Balance::shared) == "thread-pool T=10");
    CHECK(lab::mode_with_options("multi-process", 10, 2, lab::Balance::reuseport) ==
          "multi-process W=2 reuseport");
    auto args = lab::serve_arguments("thread-pool", 7, 2, lab::Balance::shared, "async-sleep");
    CHECK(args == std::vector<std::string>{"--mode", "thread-pool", "--threads", "7"});
    args = lab::serve_arguments("multi-process", 7, 3, lab::Balance::shared, "async-sleep");
    CHECK(args == std::vector<std::string>{"--mode", "multi-process", "--workers", "3", "--balance",
                                           "shared", "--worker-mode", "async-sleep"});
    CHECK(lab::mode_names(true) == std::vector<std::string>{"blocking-in-loop", "async-sleep"});
}

TEST_CASE("multi-process predicts what its workers' own mode predicts, W times over", "[unit]") {
    lab::ServerShape blocked{"multi-process"};
    blocked.workers = 3;
    CHECK(lab::model_of(blocked).at_once == 3);
    lab::ServerShape awaiting = blocked;
    awaiting.worker_mode = "async-sleep";
    CHECK(lab::model_of(awaiting).at_once == 0);  // no limit: every wait overlaps
    CHECK(lab::model_of(awaiting).formula == "d");
}

TEST_CASE(
    "the loop monitor joins holds that follow one another, not quick ones with idle gaps between",
    "[unit]") {
    lab::LoopMonitor monitor;
    auto& most = lab::loop_figures().max_blocked_us;
    most = 0;
    for (int i = 0; i < 10; ++i)  // ten 100 ms sleeps on the loop, 50 µs of bookkeeping apart
        monitor.held(i, i * 100'050, i * 100'050 + 100'000);
    CHECK(most.load() == 9 * 100'050 + 100'000);  // one stretch of about a second
    most = 0;
    for (int i = 10; i < 50; ++i)  // a 0.2 ms health check every 2 ms: the loop was idle between
        monitor.held(i, 10'000'000 + (i - 10) * 2'000, 10'000'000 + (i - 10) * 2'000 + 200);
    CHECK(most.load() == 200);
}

TEST_CASE("the loop monitor joins holds a busy machine kept apart while the loop did not wait",
          "[unit]") {
    lab::LoopMonitor monitor;
    auto& most = lab::loop_figures().max_blocked_us;
    most = 0;
    const std::int64_t t = lab::monotonic_us();
    // Two 100 ms holds 30 ms apart (more than a tick: the old rule's room), and this thread never
    // went to wait between them: the machine kept it off its core, the loop had no room.
    monitor.handler_started("/delay");
    monitor.held(monitor.handlers(), t, t + 100'000);
    monitor.handler_started("/delay");
    monitor.held(monitor.handlers(), t + 130'000, t + 230'000);
    CHECK(most.load() == 230'000);
    // The same gap with a wait in it (the loop's thread slept): a new stretch.
    most = 0;
    monitor.handler_started("/delay");  // (its hold ends at t + 330 ms)
    monitor.held(monitor.handlers(), t + 230'000, t + 330'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    monitor.handler_started("/delay");
    monitor.held(monitor.handlers(), t + 360'000, t + 460'000);
    CHECK(most.load() == 330'000);  // the first three, joined; the fourth alone (100 ms)
}

TEST_CASE("--explain lines fit the width, continued under their text, and say how each mode waits",
          "[unit]") {
    std::string text = lab::hanging(
        "#1 starts waiting 300 ms, sleeping on the loop's thread: nothing else runs meanwhile", 40,
        14);
    std::size_t longest = 0, start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        longest = std::max(longest, end - start);
    CHECK(longest <= 40 + 14);
    CHECK(text.find("\n              ") !=
          std::string::npos);  // continued under the text, after the time
    CHECK(lab::hanging("short", 40, 14) == "short");
    for (const lab::ModeInfo& mode : lab::all_modes())
        if (mode.name != "multi-process")
            CHECK_FALSE(mode.waits_how.empty());  // (a worker tells its own mode's)
}

// Each choice's words are spelled once (lab/named.hpp), and each reads back as its value.
template <class E>
void words_round_trip(std::size_t how_many) {
    CHECK(lab::all_names<E>().size() == how_many);
    for (const std::string& word : lab::all_names<E>()) {
        REQUIRE(lab::named<E>(word));
        CHECK(lab::name_of(*lab::named<E>(word)) == word);
    }
    CHECK_FALSE(lab::named<E>("sideways"));
}

TEST_CASE("balance, server, client, upstream and kind of run are each one table of words",
          "[unit]") {
    words_round_trip<lab::Balance>(3);
    words_round_trip<lab::Server>(4);
    words_round_trip<lab::Client>(2);
    words_round_trip<lab::Upstream>(2);
    words_round_trip<lab::RunKind>(2);
    words_round_trip<lab::Format>(4);
    CHECK(lab::name_of(lab::Balance::round_robin) ==
          "round-robin");  // as the command line and nginx write them
    CHECK(lab::name_of(lab::Upstream::least_conn) == "least_conn");
}
