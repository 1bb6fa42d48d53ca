// The exercises' grades teach what is true: a route that no longer does its work (its wait deleted,
// or an asyncio.sleep(...) never awaited, or a job never enqueued) fails with those words and
// Python's own warning; a right
// answer that runs in waves passes and is told why; a figure not measured says why; and the
// grade never advises an option `lab exercise check` refuses.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "lab/figures/figure_value.hpp"
#include "lab/report/exercise_waves.hpp"
#include "lab/results/reader.hpp"
#include "lab/run/app_warnings.hpp"
#include "lab/scenario/exercises.hpp"
#include "lab/scenario/scenario.hpp"
#include "support.hpp"

namespace {

// The output of `lab exercise check` of the app `file`, its lines and table cells joined: a phrase
// the terminal wrapped reads whole. A check the lab says other processes disturbed ("check again
// when the machine is quieter", a claim not judged) is run again, as the lab tells a student to:
// three runs at most (once in a full run here, 0.4 of a core was taken during a batch).
test::Outcome check_file(const std::string& exercise, const std::string& file, int repeat) {
    test::Outcome said;
    for (int run = 0; run < 3; ++run) {
        test::ScratchDir out;
        said = test::run_lab("exercise check " + exercise + " " + file + " --repeat " +
                             std::to_string(repeat) + " --out " + out.path.string());
        said.output = std::regex_replace(said.output, std::regex(R"([\s|]*\n[\s|]*)"), " ");
        if (said.output.find("check again when the machine is quieter") == std::string::npos) break;
    }
    return said;
}
test::Outcome check(const std::string& exercise, const std::string& file, int repeat) {
    return check_file(exercise, test::app_file(file), repeat);
}

// Every "not measured" of the output goes on with its reason ("not measured: ...").
bool each_not_measured_says_why(const std::string& output) {
    for (auto at = output.find("not measured"); at != std::string::npos;
         at = output.find("not measured", at + 1))
        if (output.compare(at, 14, "not measured: ") != 0) return false;
    return true;
}

// What Python itself says of this machine: asyncio's default executor's threads, min(32,
// os.cpu_count() + 4).
int python_default_executor_threads() {
    FILE* pipe = popen("/usr/bin/python3 -c 'import os; print(min(32, os.cpu_count() + 4))'", "r");
    REQUIRE(pipe);
    int threads = 0;
    REQUIRE(std::fscanf(pipe, "%d", &threads) == 1);
    pclose(pipe);
    return threads;
}

}  // namespace

TEST_CASE(
    "every exercise whose work comes before its answer bounds it below: the work still done, in "
    "words",
    "[unit]") {
    for (const std::string& name : lab::exercise_names()) {
        INFO(name);
        const lab::Scenario s = lab::find_exercise(name)->scenario;
        // A WebSocket handler's work comes before its reply: the message's reply is its answer.
        const bool held = s.load.websocket();
        const lab::Figure fastest = held ? lab::Figure::reply_min : lab::Figure::answer_min;
        const std::string said = held ? "your handler replied in {reply_min:1}: it no longer"
                                      : "your route answered in {answer_min:1}: it no longer";
        bool floor = false;
        for (const lab::Expectation& e : s.expectations)
            if (name == "heavy-on-queue")  // its work comes after its answer, from the queue's
                                           // worker: a job done for each request
                floor = floor || (e.figure == lab::Figure::jobs_done && e.at_least &&
                                  *e.at_least >= 1 && e.relative_to == "N" &&
                                  e.meaning.find("no job ran, so the work was never done") !=
                                      std::string::npos);
            else if (e.figure == fastest && e.at_least && *e.at_least >= 1 &&
                     e.relative_to == "d" && e.meaning.starts_with(said))
                floor = true;
        CHECK(floor);
    }
    CHECK(lab::exercise_names().size() >= 5);
}

TEST_CASE(
    "Python's warnings in an app's stderr are found once each, with the line of code under them",
    "[unit]") {
    const std::string log =
        "INFO:     Started server process [4242]\n"
        "/home/student/main.py:12: RuntimeWarning: coroutine 'sleep' was never awaited\n"
        "  asyncio.sleep(ms / 1000)  # the await forgotten\n"
        "RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n"
        "INFO:     127.0.0.1:50000 - \"GET /work?ms=100 HTTP/1.1\" 200 OK\n"
        "/home/student/main.py:12: RuntimeWarning: coroutine 'sleep' was never awaited\n"
        "  asyncio.sleep(ms / 1000)  # the await forgotten\n"
        "/usr/lib/python3/dist-packages/x.py:3: DeprecationWarning: on_event is deprecated\n";
    const lab::AppWarnings found = lab::app_warnings(log);
    REQUIRE(found.shown.size() == 2);
    CHECK(found.shown[0] ==
          "/home/student/main.py:12: RuntimeWarning: coroutine 'sleep' was never awaited\n"
          "  asyncio.sleep(ms / 1000)  # the await forgotten");
    CHECK(found.shown[1] ==
          "/usr/lib/python3/dist-packages/x.py:3: DeprecationWarning: on_event is deprecated");
    CHECK(found.more == 0);
    CHECK(lab::app_warnings("INFO: nothing to say\n").shown.empty());
}

TEST_CASE(
    "requests answered in waves are told why, from how many the timeline shows answered "
    "together: asyncio's default executor, AnyIO's tokens, or the app's own",
    "[unit]") {
    const int cpus = lab::python_cpu_count();
    CHECK(lab::default_executor_threads(cpus) == python_default_executor_threads());
    CHECK(lab::default_executor_threads(2) == 6);
    CHECK(lab::default_executor_threads(64) == 32);
    // 10 requests of 100 ms, 6 answered together on 2 cores: two waves, whatever the batch took.
    lab::Waves w{.together = 10,
                 .first_wave = 6,
                 .delay_s = 0.1,
                 .answer_s = 0.17,
                 .measured_s = 0.383,
                 .cpus = 2};
    const std::string two = lab::waves_text(w);
    CHECK(two.find("answered 6 together, then the rest: ceil(10 / 6) = 2 waves, each at least "
                   "170 ms, d being 100 ms, 0.383 s in all") != std::string::npos);
    CHECK(two.find("asyncio's default executor") != std::string::npos);
    // 3 at once: no pool the lab knows; 40: AnyIO's tokens.
    w.first_wave = 3;
    CHECK(lab::waves_text(w).find("No pool the lab knows has 3") != std::string::npos);
    w.together = 50, w.first_wave = 40;
    CHECK(lab::waves_text(w).find("AnyIO's thread tokens") != std::string::npos);
    // All at once, each slower than d: the cost of each, never waves.
    w.together = 10, w.first_wave = 10, w.answer_s = 0.25, w.measured_s = 0.286;
    const std::string all = lab::waves_text(w);
    CHECK(all.find("All 10 requests were answered together, each at least 250 ms") !=
          std::string::npos);
    CHECK(all.find("wave") == std::string::npos);
    // About one d, or all at once as quick as d: nothing to explain.
    w.measured_s = 0.104;
    CHECK(lab::waves_text(w).empty());
    w.measured_s = 0.2, w.answer_s = 0.1;
    CHECK(lab::waves_text(w).empty());
}

TEST_CASE("a figure not measured says why: no health check sent before a batch of 2 ms was over",
          "[unit]") {
    lab::ConfigurationResult r;
    r.batches.resize(1);
    r.makespan = {0.0021, 0.0019, 0.0021};
    lab::Load load;
    load.probe_path = "/__lab/health";
    load.probe_every_ms = 25;
    CHECK_FALSE(lab::figure_value(lab::Figure::probe_max, r, load));
    CHECK(lab::why_not_measured(lab::Figure::probe_max, r, load) ==
          "no health check was sent: each batch was over within 2.1 ms, before the first (12.5 ms "
          "after the start, then one every 25 ms)");
    r.error = "your app exited with status 3";
    CHECK(lab::why_not_measured(lab::Figure::probe_max, r, load) ==
          "the row stopped: your app exited with status 3");
}

TEST_CASE(
    "blocking-sleep fails a route that no longer waits, and says so: its wait deleted, or never "
    "awaited",
    "[app]") {
    for (const char* file : {"no_wait.py", "unawaited.py"}) {
        INFO(file);
        auto said = check("blocking-sleep", file, 1);
        INFO(said.output);
        CHECK(said.exit_code == 1);
        CHECK(said.output.find("✗ blocking-sleep") != std::string::npos);
        CHECK(said.output.find("→ your route answered in ") != std::string::npos);
        CHECK(said.output.find("it no longer waits for its partner") != std::string::npos);
        CHECK(each_not_measured_says_why(said.output));
        if (std::string(file) == "unawaited.py") {
            CHECK(said.output.find("Your app warned") != std::string::npos);
            CHECK(said.output.find("RuntimeWarning: coroutine 'sleep' was never awaited") !=
                  std::string::npos);
        }
    }
}

TEST_CASE(
    "requests-in-async grades an httpx client made per request with the doctor's judgement: the "
    "call found and the one-client fix, never `requests`",
    "[app]") {
    auto said = check("requests-in-async", "client_per_request.py", 1);
    INFO(said.output);
    CHECK(said.exit_code == 1);  // building each client holds the loop: ten in turn
    CHECK(said.output.find("weather → httpx._client.AsyncClient.__init__: make one client at "
                           "start-up and reuse it in `weather`") != std::string::npos);
    CHECK(said.output.find("requests waits for the partner") == std::string::npos);
}

TEST_CASE(
    "blocking-db grades from the run: a fix waiting in asyncio's executor passes in the waves the "
    "timeline shows; one query at a time fails with the loop said free, never 'one after another "
    "on the loop's thread'",
    "[app]") {
    auto right = check("blocking-db", "db_in_executor.py", 2);
    INFO(right.output);
    CHECK(right.exit_code == 0);
    CHECK(right.output.find("✓ blocking-db") != std::string::npos);
    CHECK(right.output.find("one after another") == std::string::npos);
    auto serial = check("blocking-db", "db_one_at_a_time.py", 1);
    INFO(serial.output);
    CHECK(serial.exit_code == 1);
    CHECK(serial.output.find("→ the loop was free (held ") != std::string::npos);
    CHECK(serial.output.find("answered one at a time: ceil(10 / 1) = 10 waves") !=
          std::string::npos);
    CHECK(serial.output.find("one after another") == std::string::npos);
}

TEST_CASE(
    "requests-in-async passes a def route with a loop of its own per request: slower than d, "
    "all together",
    "[app]") {
    auto said = check("requests-in-async", "asyncio_run_in_def.py", 2);
    INFO(said.output);
    CHECK(said.exit_code == 0);
    CHECK(said.output.find("✓ requests-in-async") != std::string::npos);
    CHECK(said.output.find("one after another") == std::string::npos);
}

TEST_CASE(
    "heavy-on-queue fails a route that answers 202 and enqueues nothing, and says the work was "
    "never done",
    "[app]") {
    auto said = check("heavy-on-queue", "drops_the_work.py", 1);
    INFO(said.output);
    CHECK(said.exit_code == 1);
    CHECK(said.output.find("✗ heavy-on-queue") != std::string::npos);
    CHECK(said.output.find(
              "→ your route answered but the queue's worker finished 0 of a batch's 5 jobs") !=
          std::string::npos);
    CHECK(said.output.find("no job ran, so the work was never done") != std::string::npos);
    CHECK(each_not_measured_says_why(said.output));
}

TEST_CASE(
    "a right fix that waits in asyncio.to_thread's executor passes, told why it took the waves it "
    "took",
    "[app]") {
    auto said = check("blocking-sleep", "waves.py", 2);
    INFO(said.output);
    CHECK(said.exit_code == 0);
    CHECK(said.output.find("✓ blocking-sleep") != std::string::npos);
    const int threads = python_default_executor_threads(), waves = (10 + threads - 1) / threads;
    if (waves >=
        2)  // (10 requests in one wave where the executor holds them all: nothing to explain)
        CHECK(said.output.find("ceil(10 / " + std::to_string(threads) +
                               ") = " + std::to_string(waves) + " waves") != std::string::npos);
}

TEST_CASE(
    "an exercise's app without its route is told to keep the route's path, never an option check "
    "refuses",
    "[app][untimed]") {
    auto said = check("qr-code", "sleeps_in_async.py", 1);  // its route is /work; qr-code loads /qr
    INFO(said.output);
    CHECK(said.exit_code != 0);
    CHECK(said.output.find("your app has no route at /qr") != std::string::npos);
    CHECK(said.output.find("--app-path") == std::string::npos);
}

TEST_CASE("blocking-websocket fails a handler that never replies, and says no reply came",
          "[app]") {
    // The lab's solution less its reply: the work awaited (every tick on time), and nothing sent
    // after it.
    const lab::Exercise exercise = *lab::find_exercise("blocking-websocket");
    const lab::Variant written = lab::variant_of(exercise.scenario, std::nullopt);
    std::string never_replies = lab::variant_text(
        test::read_file(exercise.solution), lab::with_variant(exercise.scenario, written), written);
    const std::string reply = "                await ws.send_text(f\"waited {asked[1]}\")\n";
    const auto at = never_replies.find(reply);
    REQUIRE(at != std::string::npos);
    never_replies.erase(at, reply.size());
    test::ScratchDir app;
    std::ofstream(app.path / "main.py") << never_replies;
    auto said = check_file("blocking-websocket", (app.path / "main.py").string(), 1);
    INFO(said.output);
    CHECK(said.exit_code == 1);
    CHECK(said.output.find("✗ blocking-websocket") != std::string::npos);
    CHECK(said.output.find("reply_min not measured: no reply") != std::string::npos);
    CHECK(said.output.find("the handler sent none back") != std::string::npos);
    CHECK(said.output.find("✓ While one handler waits d") !=
          std::string::npos);  // its ticks were on time: only the reply is missing
}

namespace {

// `lab exercise check blocking-websocket` of odd_ticks.py with ODD_TICKS=`odd`, its results under
// `out`, the output's lines and cells joined.
test::Outcome check_odd_ticks(const std::string& odd, const std::filesystem::path& out) {
    ::setenv("ODD_TICKS", odd.c_str(), 1);  // (the lab's children inherit it)
    test::Outcome said = test::run_lab("exercise check blocking-websocket " +
                                       test::app_file("odd_ticks.py") + " --out " + out.string());
    ::unsetenv("ODD_TICKS");
    said.output = std::regex_replace(said.output, std::regex(R"([\s|]*\n[\s|]*)"), " ");
    return said;
}

}  // namespace

TEST_CASE(
    "blocking-websocket times each tick by the client's own clock: a handler that still sleeps "
    "fails, however its server stamps its ticks",
    "[app]") {
    test::ScratchDir out;
    auto said = check_odd_ticks("stamped", out.path);  // each tick's due_us: when it was sent
    INFO(said.output);
    CHECK(said.exit_code == 1);
    CHECK(said.output.find("✗ While one handler waits d") != std::string::npos);
    CHECK(said.output.find("Well done") == std::string::npos);
}

TEST_CASE(
    "blocking-websocket grades what the app sent as what it is: blanks in a tick are a tick; "
    "binary, over-long and no ticks are said, never \"drops its client\"; the folders read back",
    "[app][untimed]") {
    test::ScratchDir out;
    auto spaces = check_odd_ticks("spaces", out.path / "spaces");
    INFO(spaces.output);
    CHECK(spaces.output.find("tick_late_p50 not measured") == std::string::npos);
    CHECK(spaces.output.find("✓ All 100 WebSockets stay open") != std::string::npos);
    for (auto [odd, words] : {std::pair{"binary", "other messages (the first: a binary message"},
                              {"huge", "a message over the 64 KiB the lab reads of one"},
                              {"silent", "100 clients read nothing"}}) {
        auto said = check_odd_ticks(odd, out.path / odd);
        INFO(odd << ": " << said.output);
        CHECK(said.exit_code == 1);
        CHECK(said.output.find("tick_late_p50 not measured: no tick") != std::string::npos);
        CHECK(said.output.find(words) != std::string::npos);
        // (Issue 68: the clients the lab closed itself, over its limit, leave "held open" unknown)
        const bool lab_closed = std::string(odd) == "huge";
        CHECK((said.output.find("✓ All 100 WebSockets stay open") != std::string::npos) ==
              !lab_closed);
        if (lab_closed)
            CHECK(said.output.find("? All 100 WebSockets stay open") != std::string::npos);
        CHECK(said.output.find("drops its client") == std::string::npos);
        CHECK(said.output.find("the handler sent none back") == std::string::npos);
        auto report = test::run_lab("report " + (out.path / odd / "blocking-websocket").string());
        INFO(report.output);
        CHECK(report.exit_code == 0);
        CHECK(std::regex_replace(report.output, std::regex(R"([\s|]*\n[\s|]*)"), " ").find(words) !=
              std::string::npos);
    }
}

// One --out for several students' folders: a check's "your change:" is read against the same
// app's check before, never another's, however recent.
TEST_CASE("your change: compares a check with the same app's previous check only",
          "[app][untimed]") {
    test::ScratchDir out;
    auto checked = [&](const char* file) {
        return test::run_lab("exercise check blocking-sleep " + test::app_file(file) +
                             " --repeat 1 --out " + out.path.string());
    };
    const test::Outcome first = checked("no_wait.py");
    const test::Outcome other = checked("unawaited.py");  // another student's, just after
    INFO(other.output);
    CHECK(other.output.find("your change:") == std::string::npos);
    CHECK(other.output.find("the whole comparison") == std::string::npos);
    const test::Outcome again = checked("no_wait.py");
    INFO(again.output);
    const auto runs = lab::newest_runs(out.path / "blocking-sleep", 3);
    REQUIRE(runs.size() == 3);
    // Whether the output names `run` from `from` on, whole: two runs in one second are named T
    // and T-002, and T begins the other's name.
    auto names = [&](const std::filesystem::path& run, std::size_t from) {
        const std::string name = run.string();
        for (auto at = again.output.find(name, from); at != std::string::npos;
             at = again.output.find(name, at + 1))
            if (again.output.compare(at + name.size(), 1, "-") != 0) return true;
        return false;
    };
    if (auto at = again.output.find("the whole comparison: lab diff "); at != std::string::npos)
        CHECK(names(runs[0], at));  // no_wait's own
    CHECK_FALSE(names(runs[1], 0));  // never unawaited's
}

// An app that dies mid-check leaves nothing of the student's work measured: no grade, exit 4 (the
// lab could not run the check), never a ✗ beside expectations no request reached.
TEST_CASE("an exercise whose app dies mid-run is not graded: exit 4, said", "[app][untimed]") {
    test::ScratchDir work;
    std::string dying = test::read_file(test::app_file("crashes.py"));
    dying.replace(dying.find("\"/delay\""), 8, "\"/work\"");
    std::ofstream(work.path / "main.py") << dying;
    auto said = check_file("blocking-sleep", work.path.string(), 1);
    INFO(said.output);
    CHECK(said.exit_code == 4);
    CHECK(said.output.find("your app exited with status 3") != std::string::npos);
    CHECK(said.output.find("– blocking-sleep: not graded: the lab could not run the check") !=
          std::string::npos);
    CHECK(said.output.find("✗ blocking-sleep") == std::string::npos);
}

TEST_CASE(
    "a seed gives one variant, the same each time, within the bounds that keep its lesson true; "
    "two seeds differ, and no placeholder is left in any text",
    "[unit]") {
    for (const std::string& name : lab::exercise_names()) {
        INFO(name);
        const lab::Exercise exercise = *lab::find_exercise(name);
        const lab::Scenario& s = exercise.scenario;
        CHECK(lab::variant_of(s, 5) == lab::variant_of(s, 5));
        CHECK_FALSE(lab::variant_of(s, 5) == lab::variant_of(s, 1));
        for (int seed = 0; seed <= lab::max_seed; seed += 997) {
            const lab::Variant v = lab::variant_of(s, seed);
            CHECK((v.requests * 10 >= s.load.requests * 7 && v.requests <= s.load.requests));
            CHECK(
                (v.delay_ms * 10 >= s.load.delay_ms * 8 && v.delay_ms * 2 <= s.load.delay_ms * 3));
            CHECK(v.path.starts_with(s.configurations[0].target_path + "/"));
        }
        for (const lab::Variant& v : {lab::variant_of(s, std::nullopt), lab::variant_of(s, 5)}) {
            const lab::Scenario runs = lab::with_variant(s, v);
            CHECK(runs.question.find('{') == std::string::npos);
            for (const auto& file : {exercise.starter, exercise.solution}) {
                const std::string app = lab::variant_text(test::read_file(file), runs, v);
                for (const char* placeholder : {"{d}", "{d_ms}", "{N}", "{path}", "{data}"})
                    CHECK(app.find(placeholder) == std::string::npos);
                CHECK(app.find(v.path) != std::string::npos);
            }
        }
    }
}

TEST_CASE(
    "two students' seeded starters differ, each with its own numbers; a class list gives each "
    "name a folder and a seed; a bad list or record is refused with where and why",
    "[unit]") {
    const lab::Scenario s = lab::find_exercise("blocking-sleep")->scenario;
    test::ScratchDir work;
    std::string starter[2];
    for (int seed : {5, 1}) {
        const lab::Variant v = lab::variant_of(s, seed);
        const std::filesystem::path dir = work.path / std::to_string(seed);
        auto started = test::run_lab("exercise start blocking-sleep " + dir.string() + " --seed " +
                                     std::to_string(seed));
        INFO(started.output);
        REQUIRE(started.exit_code == 0);
        starter[seed == 1] = test::read_file(dir / "main.py");
        CHECK(starter[seed == 1].find("@app.get(\"" + v.path + "\")") != std::string::npos);
        CHECK(starter[seed == 1].find("the slow partner: " + std::to_string(v.delay_ms) + " ms") !=
              std::string::npos);
        const std::string readme = test::read_file(dir / "README.md");
        CHECK(readme.find(std::to_string(v.requests) + " users arrive at once") !=
              std::string::npos);
        CHECK(readme.find("Your variant: seed " + std::to_string(seed)) != std::string::npos);
        CHECK(test::read_file(dir / lab::variant_file).find("seed = " + std::to_string(seed)) !=
              std::string::npos);
        // nothing written over: the same start again is refused whole
        CHECK(test::run_lab("exercise start blocking-sleep " + dir.string() + " --seed 2")
                  .exit_code == 2);
        CHECK(test::read_file(dir / "main.py") == starter[seed == 1]);
    }
    CHECK(starter[0] != starter[1]);
    // An app that needs a service: the README says how to give it one
    REQUIRE(test::run_lab("exercise start blocking-db " + (work.path / "db").string()).exit_code ==
            0);
    CHECK(test::read_file(work.path / "db" / "README.md")
              .find("`DATABASE_URL=postgresql:///DB /usr/bin/python3 -m uvicorn main:app`") !=
          std::string::npos);

    const auto list = work.write("class.txt", "# room 4\nAda Lovelace\n\n  Alan Turing \n");
    auto made = test::run_lab("exercise start blocking-sleep " + (work.path / "room").string() +
                              " --class " + list.string());
    INFO(made.output);
    CHECK(made.exit_code == 0);
    const std::vector<int> seeds = lab::class_seeds(s, {"Ada Lovelace", "Alan Turing"});
    CHECK(seeds[0] == lab::seed_of_name("Ada Lovelace"));
    for (const char* name : {"Ada Lovelace", "Alan Turing"}) {
        const std::string seed = std::to_string(seeds[name[1] != 'd']);
        CHECK(made.output.find(seed) != std::string::npos);
        const std::string folder = name[1] == 'd' ? "ada-lovelace" : "alan-turing";
        CHECK(test::read_file(work.path / "room" / folder / lab::variant_file)
                  .find("seed = " + seed) != std::string::npos);
    }
    const auto twice = work.write("twice.txt", "Ada\nada\n");
    auto refused = test::run_lab("exercise start blocking-sleep " + (work.path / "r2").string() +
                                 " --class " + twice.string());
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find(twice.string() + ": line 2: its folder, ada, is Ada's too") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(work.path / "r2"));

    std::ofstream(work.path / "5" / lab::variant_file, std::ios::trunc)
        << "exercise = \"qr-code\"\nseed = 5\n";
    auto other = test::run_lab("exercise check blocking-sleep " + (work.path / "5").string());
    CHECK(other.exit_code == 2);
    CHECK(other.output.find("exercise: this folder was started for qr-code") != std::string::npos);
}

// Issue 68: a class list on a full disk wrote 21 folders and said "(nothing was written)"; the
// same command, after making room, was refused because they existed. Here the 2nd student's
// folder cannot be made (its path past PATH_MAX), as a full disk would refuse it.
TEST_CASE("a class is made all or none: a folder that cannot be written removes those before it",
          "[unit]") {
    test::ScratchDir work;
    std::filesystem::path deep = work.path;
    while (deep.string().size() < 3950) deep /= std::string(200, 'd');
    std::filesystem::create_directories(deep);
    const std::string long_name(100, 'z');
    const auto list = work.write("class.txt", "Al\n" + long_name + "\n");
    auto made = test::run_lab("exercise start blocking-sleep " + deep.string() + " --class " +
                              list.string());
    INFO(made.output);
    CHECK(made.exit_code != 0);
    CHECK(made.output.find(
              "made all or none: what this call wrote before it is removed (1 folder)") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(deep / "al"));
    const auto shorter = work.write("short.txt", "Al\nBo\n");  // (the same call, completed)
    CHECK(test::run_lab("exercise start blocking-sleep " + deep.string() + " --class " +
                        shorter.string())
              .exit_code == 0);
    CHECK(std::filesystem::exists(deep / "al" / "main.py"));
}

TEST_CASE(
    "a class of 30 gets 30 variants: the first 24 on routes of their own, then none with both "
    "the route and the wait d of another; the same list, the same seeds; the seeds printed are "
    "the seeds recorded",
    "[unit]") {
    std::vector<std::string> names;
    std::string list;
    for (int i = 1; i <= 30; ++i) {
        names.push_back("Student " + std::to_string(i));
        list += names.back() + "\n";
    }
    for (const std::string& exercise : lab::exercise_names()) {
        INFO(exercise);
        const lab::Scenario s = lab::find_exercise(exercise)->scenario;
        const std::vector<int> seeds = lab::class_seeds(s, names);
        CHECK(seeds == lab::class_seeds(s, names));
        std::set<std::string> routes;
        std::set<std::pair<std::string, int>> variants;
        for (std::size_t i = 0; i < seeds.size(); ++i) {
            const lab::Variant v = lab::variant_of(s, seeds[i]);
            CHECK((routes.insert(v.path).second || i >= 24));
            CHECK(variants.insert({v.path, v.delay_ms}).second);
        }
        CHECK(routes.size() == 24);
    }
    test::ScratchDir work;
    auto made = test::run_lab("exercise start blocking-sleep " + (work.path / "room").string() +
                              " --class " + work.write("class.txt", list).string());
    INFO(made.output);
    REQUIRE(made.exit_code == 0);
    CHECK(made.output.find("\n30 students, 24 routes: ") != std::string::npos);
    CHECK(made.output.find("no variant left") == std::string::npos);
    std::istringstream lines(made.output);
    std::string line;
    std::vector<int> printed;
    while (std::getline(lines, line)) {
        std::istringstream row(line);
        std::string seed, folder;
        if (!(row >> seed >> folder) || !folder.starts_with((work.path / "room").string()))
            continue;
        printed.push_back(std::stoi(seed));
        CHECK(test::read_file(std::filesystem::path(folder) / lab::variant_file)
                  .find("\nseed = " + seed + "\n") != std::string::npos);
    }
    CHECK(printed == lab::class_seeds(lab::find_exercise("blocking-sleep")->scenario, names));
}

TEST_CASE(
    "each student is graded against their own variant: seed A's solution passes A's check and "
    "fails B's, copied whole or moved to B's route",
    "[app]") {
    const lab::Scenario s = lab::find_exercise("blocking-sleep")->scenario;
    const lab::Variant a = lab::variant_of(s, 5), b = lab::variant_of(s, 1);
    REQUIRE(a.path != b.path);
    REQUIRE(a.delay_ms + 30 <= b.delay_ms);  // A's wait, well short of B's d
    test::ScratchDir work;
    const auto dir_a = work.path / "a", dir_b = work.path / "b";
    REQUIRE(
        test::run_lab("exercise start blocking-sleep " + dir_a.string() + " --solution --seed 5")
            .exit_code == 0);
    REQUIRE(
        test::run_lab("exercise start blocking-sleep " + dir_b.string() + " --seed 1").exit_code ==
        0);
    auto passed = check_file("blocking-sleep", dir_a.string(), 2);
    INFO(passed.output);
    CHECK(passed.exit_code == 0);
    CHECK(passed.output.find("Grading the variant of seed 5") != std::string::npos);
    CHECK(passed.output.find("✓ blocking-sleep") != std::string::npos);

    std::string copied = test::read_file(dir_a / "main.py");
    std::ofstream(dir_b / "main.py", std::ios::trunc) << copied;
    auto whole = check_file("blocking-sleep", dir_b.string(), 1);
    INFO(whole.output);
    CHECK(whole.exit_code != 0);
    CHECK(whole.output.find("Grading the variant of seed 1") != std::string::npos);
    CHECK(whole.output.find("your app has no route at " + b.path) != std::string::npos);
    CHECK(whole.output.find("✓ blocking-sleep") == std::string::npos);

    copied.replace(copied.find(a.path), a.path.size(), b.path);
    std::ofstream(dir_b / "main.py", std::ios::trunc) << copied;
    auto moved = check_file("blocking-sleep", dir_b.string(), 1);
    INFO(moved.output);
    CHECK(moved.exit_code == 1);
    CHECK(moved.output.find("✗ blocking-sleep") != std::string::npos);
    CHECK(moved.output.find("→ your route answered in ") != std::string::npos);
}

// Issue 69: `--attr`, by name: a folder whose app is called `api` is graded with --attr api, and
// without it is said to have no `app`.
TEST_CASE("lab exercise check --attr grades an app of another name", "[app]") {
    test::ScratchDir work;
    REQUIRE(test::run_lab("exercise start blocking-sleep " + work.path.string() + " --solution")
                .exit_code == 0);
    std::string code = test::read_file(work.path / "main.py");
    for (const std::string name : {"app = FastAPI()", "@app."})
        for (auto at = code.find(name); at != std::string::npos; at = code.find(name, at + 1))
            code.replace(at + (name[0] == '@' ? 1 : 0), 3, "api");
    std::ofstream(work.path / "main.py", std::ios::trunc) << code;
    test::ScratchDir out;
    const test::Outcome named =
        test::run_lab("exercise check blocking-sleep " + work.path.string() +
                      " --attr api --repeat 1 --out " + out.path.string());
    INFO(named.output);
    CHECK(named.exit_code == 0);
    CHECK(named.output.find("✓ blocking-sleep") != std::string::npos);
    const test::Outcome unnamed =
        test::run_lab("exercise check blocking-sleep " + work.path.string() + " --repeat 1 --out " +
                      out.path.string());
    INFO(unnamed.output);
    CHECK(unnamed.exit_code != 0);
    CHECK(unnamed.output.find("main.py has no `app`") != std::string::npos);
    CHECK(unnamed.output.find("its ASGI apps: api") != std::string::npos);
}

// The class in one command: each student's folder graded one after another, a folder whose app
// does not start said in its row without stopping the others, the mistake two share grouped, and
// class.html with every name escaped.
TEST_CASE("a class is graded in one command: its rows, a shared mistake, class.html", "[app]") {
    test::ScratchDir work;
    const auto list = work.write("class.txt", "Ada <Lovelace>\nBo\nCy\nDi\n");
    const std::filesystem::path room = work.path / "room";
    REQUIRE(test::run_lab("exercise start blocking-sleep " + room.string() + " --class " +
                          list.string())
                .exit_code == 0);
    // Ada's app is her variant's solution, Cy's is no Python, Bo's and Di's are the starter.
    const lab::Scenario s = lab::find_exercise("blocking-sleep")->scenario;
    const int ada = lab::class_seeds(s, {"Ada <Lovelace>", "Bo", "Cy", "Di"})[0];
    REQUIRE(test::run_lab("exercise start blocking-sleep " + (work.path / "answer").string() +
                          " --solution --seed " + std::to_string(ada))
                .exit_code == 0);
    std::filesystem::copy_file(work.path / "answer" / "main.py", room / "ada-lovelace" / "main.py",
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(room / "cy" / "main.py") << "this is not Python\n";
    const test::Outcome graded =
        test::run_lab("exercise check blocking-sleep " + room.string() + " --class " +
                      list.string() + " --repeat 1 --out " + (work.path / "out").string());
    INFO(graded.output);
    CHECK(graded.exit_code == 1);
    const std::string page = test::read_file(work.path / "out/blocking-sleep/class.html");
    CHECK(page.find("<Lovelace>") == std::string::npos);
    // (✓, or – on a machine too busy to judge a claim)
    CHECK(std::regex_search(page,
                            std::regex("<td>Ada &lt;Lovelace&gt;</td><td>[0-9]+</td><td>(✓|–)")));
    CHECK(std::regex_search(
        page, std::regex("<td>Cy</td><td>[0-9]+</td><td>did not start: your app: main.py failed")));
    CHECK(std::regex_search(page, std::regex("<td>Di</td><td>[0-9]+</td><td>✗")));
    CHECK(page.find("<li>2 students (Bo, Di): ✗ E1 ") != std::string::npos);
    CHECK(graded.output.find("2 students (Bo, Di): ✗ E1 ") != std::string::npos);
}
