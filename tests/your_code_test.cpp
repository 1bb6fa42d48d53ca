// A student's own code under the lab: their ASGI app as one more row of a lesson (--app), any
// running server (--target), a bystander for `lab load` (--probe), and the exercises, which must be
// able to fail: each starter fails its grade and each reference solution passes it.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstring>
#include <set>
#include <sstream>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "lab/run/configuration_processes.hpp"
#include "lab/scenario/exercises.hpp"
#include "lab/containment/server_cgroup.hpp"
#include "lab/containment/server_namespace.hpp"
#include "lab/run/server_process.hpp"
#include "lab/run/your_app.hpp"
#include "support.hpp"

namespace {

std::string app_file(const std::string& name) {
    return std::string(LAB_TEST_DATA) + "/apps/" + name;
}

// The row of `summary` (lab run --format json) whose server is `server`.
nlohmann::json row_of(const nlohmann::json& summary, const std::string& server) {
    for (const auto& row : summary["configurations"])
        if (row["server"] == server) return row;
    FAIL("no row served by " << server);
    return {};
}

nlohmann::json run_json(const std::string& args, test::Outcome& said) {
    test::ScratchDir out;
    said = test::run_lab(args + " --format json --quiet --out " + out.path.string());
    auto start = said.output.find("{\n");
    REQUIRE(start != std::string::npos);
    return nlohmann::json::parse(said.output.substr(start, said.output.rfind("\n}") + 2 - start));
}

double median_blocked_ms(const nlohmann::json& row) {
    std::vector<double> blocked;
    for (const auto& b : row["batches"]) blocked.push_back(b["loop_blocked_ms"].get<double>());
    std::sort(blocked.begin(), blocked.end());
    return blocked[(blocked.size() - 1) / 2];
}

}  // namespace

TEST_CASE(
    "an async def route that sleeps serializes the lesson's batch: sequential, its loop blocked "
    "for it",
    "[app]") {
    test::Outcome said;
    auto summary = run_json("run blocking-async --repeat 2 --app " +
                                app_file("sleeps_in_async.py") + " --app-path /work",
                            said);
    INFO(said.output);
    auto mine = row_of(summary, "app");
    CHECK(mine["label"] == "your app (sleeps_in_async.py)");
    CHECK(mine["verdict"].get<std::string>().starts_with("sequential"));
    CHECK(mine["verdict"].get<std::string>().find("like “async def + time.sleep") !=
          std::string::npos);
    // Physics: ten waits of d one after another cannot take less than N·d; a blocked loop takes
    // about that.
    double makespan = mine["measured_s"]["median"].get<double>();
    CHECK(makespan >= 1.0);
    CHECK(makespan < 1.6);
    CHECK(median_blocked_ms(mine) >= 900);
}

TEST_CASE("the same route as def waits in the pool: about d, the loop free", "[app]") {
    test::Outcome said;
    auto summary = run_json("run blocking-async --only 2 --repeat 2 --app " +
                                app_file("sleeps_in_def.py") + " --app-path /work",
                            said);
    INFO(said.output);
    auto mine = row_of(summary, "app");
    double makespan = mine["measured_s"]["median"].get<double>();
    CHECK(makespan >= 0.1);
    CHECK(makespan < 0.4);
    CHECK(median_blocked_ms(mine) < 50);
    CHECK(mine["verdict"].get<std::string>().starts_with("concurrent"));
}

TEST_CASE(
    "--target: a server the lab did not start or probe gets client-side figures only, no verdict",
    "[app]") {
    // uvicorn started by hand, as a student would: no probe, no stamps.
    lab::ServerProcess uvicorn(
        {lab::python, lab::reference_script("serve.py"), "--variant", "blocking"});
    test::ScratchDir out;
    std::string url = "http://127.0.0.1:" + std::to_string(uvicorn.port()) + "/health";
    auto said = test::run_lab("run blocking-async --only 2 --repeat 1 --target " + url +
                              " --quiet --out " + out.path.string());
    INFO(said.output);
    auto run = std::filesystem::directory_iterator(out.path / "blocking-async")->path();
    auto summary = nlohmann::json::parse(test::read_file(run / "summary.json"));
    std::string verdict = row_of(summary, "external")["verdict"];
    CHECK(verdict.starts_with("unknown"));
    // report.html draws its requests as waiting for the answer, never as being served.
    std::string page = test::read_file(run / "report.html");
    CHECK(page.find("client-side figures only") != std::string::npos);
}

TEST_CASE("a student's app that cannot run is refused with the reason, exit 2, before any load",
          "[app][untimed]") {
    // Refused before any load, so nothing is timed: two at a time.
    const auto said = test::run_lab_two_at_a_time(
        {"run blocking-async --app /nonexistent/main.py",
         "run blocking-async --app " + app_file("broken.py"),
         "run blocking-async --app " + app_file("not_asgi.py"),
         "run blocking-async --app " + app_file("sleeps_in_def.py") + ":api",
         "run blocking-async --target http://192.0.2.1:8000/"});
    const test::Outcome &missing = said[0], &broken = said[1], &not_asgi = said[2],
                        &no_attr = said[3], &remote = said[4];
    CHECK(missing.exit_code == 2);
    CHECK(missing.output.find("no such file") != std::string::npos);
    CHECK(broken.exit_code == 2);
    CHECK(broken.output.find("this_module_does_not_exist") != std::string::npos);
    CHECK(not_asgi.exit_code == 2);
    CHECK(not_asgi.output.find("not an ASGI app") != std::string::npos);
    CHECK(no_attr.exit_code == 2);
    CHECK(remote.exit_code == 2);
    CHECK(remote.output.find("--allow-remote") != std::string::npos);
}

TEST_CASE(
    "an app without the lesson's route, or one that dies mid-run: said, recorded, the lesson goes "
    "on",
    "[app][untimed]") {
    test::ScratchDir out;
    auto no_route = test::run_lab("run blocking-async --only 2 --repeat 1 --app " +
                                  app_file("sleeps_in_def.py") + " --out " + out.path.string());
    INFO(no_route.output);
    CHECK(no_route.exit_code == 4);  // the lesson could not run on it
    CHECK(no_route.output.find("your app has no route at /delay") != std::string::npos);
    CHECK(no_route.output.find("--app-path") != std::string::npos);
    auto crash = test::run_lab("run blocking-async --only 2 --repeat 1 --app " +
                               app_file("crashes.py") + " --out " + out.path.string());
    INFO(crash.output);
    CHECK(crash.exit_code == 4);  // the lab could not run the lesson on it
    CHECK(crash.output.find("your app exited with status 3") != std::string::npos);
}

TEST_CASE("nothing of a student's app outlives `lab` killed with SIGKILL", "[app][untimed]") {
    test::ScratchDir out;
    const std::string app = app_file("sleeps_in_async.py"), folder = out.path.string();
    pid_t lab_pid = fork();  // `lab` itself, not a shell around it: the process SIGKILL must take
    if (lab_pid == 0) {
        std::freopen("/dev/null", "w", stdout);
        std::freopen("/dev/null", "w", stderr);
        execl(LAB_BINARY, "lab", "run", "blocking-async", "--only", "2", "--repeat", "3", "--delay",
              "2000", "--app", app.c_str(), "--app-path", "/work", "--quiet", "--out",
              folder.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    // Wait until its app's uvicorn runs (a process whose environment names the app), then kill
    // `lab`.
    auto app_processes = [] {
        std::vector<pid_t> found;
        for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
            std::string name = entry.path().filename();
            if (name.find_first_not_of("0123456789") != std::string::npos) continue;
            if (test::read_file(entry.path() / "environ")
                    .find("LAB_APP=" + app_file("sleeps_in_async.py")) != std::string::npos)
                found.push_back(std::stoi(name));
        }
        return found;
    };
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (app_processes().empty() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE_FALSE(app_processes().empty());
    kill(lab_pid, SIGKILL);
    waitpid(lab_pid, nullptr, 0);
    give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!app_processes().empty() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(app_processes().empty());
}

TEST_CASE(
    "what a student's app starts is gone once `lab` ends: SIGKILL, SIGHUP, SIGTERM or a normal "
    "exit",
    "[app][untimed][endings]") {
    for (int ending : {SIGKILL, SIGHUP, SIGTERM, 0}) {
        INFO("lab ended by " << (ending ? strsignal(ending) : "itself, the run done"));
        test::ScratchDir out;
        const std::filesystem::path pids =
            out.path / "pids";  // "KIND PID PIDNS" of each process the app started
        auto recorded = [&] { return test::recorded_pids(pids, ""); };
        ::setenv("LAB_TEST_PIDS", pids.c_str(),
                 1);  // (the app's environment: lab passes its own on)
        pid_t lab_pid = test::spawn_lab(
            {"run", "blocking-async", "--only", "2", "--repeat", ending ? "3" : "1", "--delay",
             ending ? "2000" : "50", "--app", app_file("leaves_children.py"), "--app-path", "/work",
             "--quiet", "--out", out.path.string()},
            out.path / "said");
        ::unsetenv("LAB_TEST_PIDS");
        std::set<pid_t> started;  // (by the numbers this test sees: read while they run)
        REQUIRE(test::eventually([&] { return (started = recorded()).size() >= 3; },
                                 std::chrono::seconds(60)));
        if (ending) kill(lab_pid, ending);
        waitpid(lab_pid, nullptr, 0);
        INFO(test::read_file(out.path / "said"));
        CHECK(started.size() ==
              3);  // a subprocess, a multiprocessing child, a daemon: the app's module ran once
        CHECK(test::survivors(started, std::chrono::seconds(3)).empty());
        if (!ending)
            CHECK(test::read_file(out.path / "said").find(" your app left: ") != std::string::npos);
    }
}

// Issue 68: an app that unmounts its namespace's /proc made the lab say it "stopped 169 processes
// your app left: 1756 ..., 5708 -bash", the machine's processes, all still alive.
TEST_CASE("an app that unmounts its /proc is not answered with the machine's processes",
          "[app][untimed]") {
    test::ScratchDir out;
    const std::filesystem::path pids = out.path / "pids";
    ::setenv("LAB_TEST_PIDS", pids.c_str(), 1);
    ::setenv("LAB_TEST_UNMOUNT_PROC", "1", 1);
    pid_t lab_pid = test::spawn_lab({"run", "blocking-async", "--only", "2", "--repeat", "1",
                                     "--delay", "50", "--app", app_file("leaves_children.py"),
                                     "--app-path", "/work", "--quiet", "--out", out.path.string()},
                                    out.path / "said");
    ::unsetenv("LAB_TEST_PIDS");
    ::unsetenv("LAB_TEST_UNMOUNT_PROC");
    std::set<pid_t> started;
    REQUIRE(test::eventually([&] { return (started = test::recorded_pids(pids, "")).size() >= 3; },
                             std::chrono::seconds(60)));
    waitpid(lab_pid, nullptr, 0);
    const std::string said = test::read_file(out.path / "said");
    INFO(said);
    CHECK(test::survivors(started, std::chrono::seconds(3)).empty());
    CHECK(said.find(" your app left: ") == std::string::npos);
    std::string log;  // (what serve.py said: the run's server.log)
    for (const auto& entry : std::filesystem::recursive_directory_iterator(out.path))
        if (entry.path().filename() == "server.log") log += test::read_file(entry.path());
    if (log.find("unmounted its /proc") == std::string::npos)  // (in no namespace: none unmounted)
        WARN("the app ran in no PID namespace of the lab's: /proc stayed");
}

namespace {

// Whether any process listens on TCP `port`: the kernel's tables, state 0A (LISTEN).
bool port_listened_on(int port) {
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::istringstream lines(lab::read_proc_file(table));
        std::string line, slot, local, remote, state;
        std::getline(lines, line);  // the header
        while (std::getline(lines, line)) {
            std::istringstream f(line);
            if (f >> slot >> local >> remote >> state && state == "0A" &&
                std::stoi(local.substr(local.rfind(':') + 1), nullptr, 16) == port)
                return true;
        }
    }
    return false;
}

// `lab ARGS` with turns_on_its_parent.py, ended by `ending` (0: on its own) once the app has
// turned on serve.py (`hostile`: "kill" or "stop"); what the lab said (once it said `awaited`, 5 s
// at most), and what is left.
std::string app_turning_on_its_parent_leaves(const std::vector<std::string>& args, int ending,
                                             const char* hostile, const std::string& awaited,
                                             std::string& said) {
    test::ScratchDir out;
    const std::filesystem::path pids = out.path / "pids";
    auto port = [&] {
        std::istringstream lines(test::read_file(pids));
        for (std::string kind, number, ns; lines >> kind >> number >> ns;)
            if (kind == "port") return std::stoi(number);
        return 0;
    };
    ::setenv("LAB_TEST_PIDS", pids.c_str(), 1);
    ::setenv("LAB_TEST_HOSTILE", hostile, 1);
    std::vector<std::string> argv = args;
    argv.push_back(app_file("turns_on_its_parent.py"));
    const pid_t lab_pid = test::spawn_lab(argv, out.path / "said");
    ::unsetenv("LAB_TEST_PIDS");
    ::unsetenv("LAB_TEST_HOSTILE");
    REQUIRE(test::eventually([&] { return port() != 0; }, std::chrono::seconds(60)));
    std::set<pid_t> started;  // (the daemon's line may come just after the port's)
    test::eventually([&] { return (started = test::recorded_pids(pids, "")).size() == 2; });
    if (ending) kill(lab_pid, ending);
    waitpid(lab_pid, nullptr, 0);
    std::string left = started.size() == 2 ? "" : "not 2 processes recorded; ";
    for (pid_t p : test::survivors(started, std::chrono::seconds(5)))
        left += "process " + std::to_string(p) + " still runs; ";
    if (test::eventually([&] { return !port_listened_on(port()); }, std::chrono::seconds(5)) ==
        false)
        left += "port " + std::to_string(port()) + " still listened on";
    test::eventually([&] {  // (the guard's words come as it kills, after lab has gone)
        said = test::read_file(out.path / "said");
        return said.find(awaited) != std::string::npos;  // ("": what was said by now)
    });
    return left;
}

}  // namespace

// Issue 55: an app that cleared its death signal, left serve.py's session and killed (or stopped)
// serve.py outlived the lab, its daemon listening on the app's port.
TEST_CASE(
    "an app that kills or stops serve.py is gone with the lab however it ends, and it is said",
    "[app][untimed][endings]") {
    if (!lab::pid_namespace_refused().empty()) {
        WARN("not tested: " << lab::pid_namespace_refused() << "; the lab says so to the learner");
        return;  // (where the system allows it, as the issue asks)
    }
    // Once lab is killed, its guard is what says what was stopped: where there is a cgroup for it.
    const lab::ServerCgroup group = lab::new_server_cgroup();
    if (!group.folder.empty()) lab::end_cgroup(group.folder);
    // What the app does (turns_on_its_parent.py) and how lab ends (0: on its own): the issue's
    // stopped serve.py with lab killed or its terminal closed; an app that moves itself out of its
    // cgroup, or kills or stops the guard that would kill the group once lab is killed.
    const std::vector<std::pair<const char*, std::vector<int>>> cases = {
        {"kill", {0, SIGTERM, SIGKILL, SIGINT, SIGHUP}},
        {"stop", {SIGKILL, SIGHUP}},
        {"cgroup", {0, SIGKILL}},
        {"kill-guard", {SIGKILL}},
        {"stop-guard", {SIGKILL}}};
    for (const auto& [hostile, endings] : cases)
        for (int ending : endings) {
            INFO(hostile << ", lab ended by " << (ending ? strsignal(ending) : "itself"));
            // (ended by a signal: the app's row still running then, its ten requests each
            // holding its loop 300 ms; the lesson's row before it as short as its batches)
            const std::vector<std::string> run = {
                "run",     "blocking-async",      "--only",     "2",     "--repeat", "1",
                "--delay", ending ? "300" : "50", "--app-path", "/work", "--quiet",  "--app"};
            std::string said;
            const bool stopped_said =
                ending == 0 || (!group.folder.empty() && (ending == SIGKILL || ending == SIGHUP));
            CHECK(app_turning_on_its_parent_leaves(run, ending, hostile,
                                                   stopped_said ? "stopped" : "", said) == "");
            INFO(said);
            if (stopped_said) CHECK(said.find("stopped") != std::string::npos);
        }
    std::string said;  // the doctor too, which said nothing
    CHECK(app_turning_on_its_parent_leaves({"doctor", "--fail-over", "20"}, 0, "kill",
                                           " your app left: ", said) == "");
    INFO(said);
    CHECK(said.find(" your app left: ") !=
          std::string::npos);  // (serve.py's words: it outlives it)
}

TEST_CASE(
    "an app that prints without end leaves a bounded server.log, its cut said, and lab's memory "
    "bounded",
    "[app][untimed]") {
    test::ScratchDir out;
    auto said =
        test::run_lab_measured({"run", "blocking-async", "--only", "2", "--repeat", "1", "--delay",
                                "50", "--app", app_file("prints_a_lot.py"), "--app-path", "/work",
                                "--quiet", "--out", out.path.string()});
    INFO(said.outcome.output.substr(0, 2000));
    CHECK(said.outcome.exit_code == 0);
    std::filesystem::path log;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(out.path))
        if (entry.path().filename() == "server.log") log = entry.path();
    REQUIRE(!log.empty());
    const std::string text = test::read_file(log);
    CHECK(text.size() <
          lab::log_head_bytes + lab::log_tail_bytes + 64 * 1024);  // of the app's 80 MiB
    CHECK(text.find("bytes of this log cut here") != std::string::npos);
    if (!test::under_address_sanitizer)
        CHECK(said.max_rss_kib <
              100 * 1024);  // (lab alone is about 35 MiB: the app's 80 MiB held once would pass it)
}

TEST_CASE("lab load --probe: the bystander's wait is the head-of-line figure", "[app]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "blocking-in-loop"});
    test::ScratchDir out;
    std::string url = "http://127.0.0.1:" + std::to_string(server.port());
    auto said = test::run_lab(
        "load " + url +
        "/delay?ms=100 -n 10 -c 10 --probe /health --probe-every 10ms --format json --out " +
        out.path.string());
    INFO(said.output);
    REQUIRE(said.exit_code == 0);
    auto start = said.output.find("{\n");
    auto summary =
        nlohmann::json::parse(said.output.substr(start, said.output.rfind("\n}") + 2 - start));
    auto bystander = summary["load_summary"]["bystander"];
    CHECK(bystander["path"] == "/health");
    // Behind a loop held for N·d, a health check sent at the start waits most of it.
    CHECK(bystander["latency_us"]["max"].get<double>() >= 800'000);
    auto text = test::run_lab("load " + url + "/delay?ms=100 -n 10 -c 10 --probe /health --out " +
                              out.path.string());
    CHECK(text.output.find("Bystander: GET /health") != std::string::npos);
}

// [repeats-cpp]: the sanitizer stage leaves it out: `lab exercise check`'s C++ (each figure it
// grades, a pass and its waves, a WebSocket's reply, a queue's jobs) runs there in
// exercise_grades_test.cpp's cases, and the services these exercises start in the servers' and
// end-to-end groups.
TEST_CASE("each exercise can fail: its starter fails the grade and its reference solution passes",
          "[app][repeats-cpp]") {
    for (const std::string& name : lab::exercise_names()) {
        SECTION(name) {
            test::ScratchDir starter, solution, out;
            REQUIRE(test::run_lab("exercise start " + name + " " + (starter.path / "app").string())
                        .exit_code == 0);
            REQUIRE(test::run_lab("exercise start " + name + " " +
                                  (solution.path / "app").string() + " --solution")
                        .exit_code == 0);
            // One batch shows a starter's failure (its figures are several times past the
            // bounds); the solution's pass keeps two, as a student's check would need.
            auto failed =
                test::run_lab("exercise check " + name + " " + (starter.path / "app").string() +
                              " --repeat 1 --out " + out.path.string());
            INFO(failed.output);
            CHECK(failed.exit_code == 1);
            CHECK(failed.output.find("✗ " + name) != std::string::npos);
            CHECK(failed.output.find("→ ") !=
                  std::string::npos);  // what the ✗ means, in the lesson's terms
            auto passed =
                test::run_lab("exercise check " + name + " " + (solution.path / "app").string() +
                              " --repeat 2 --out " + out.path.string());
            INFO(passed.output);
            CHECK(passed.exit_code == 0);
            CHECK(passed.output.find("✓ " + name) != std::string::npos);
        }
    }
    CHECK(lab::exercise_names().size() >= 5);
}

TEST_CASE(
    "a student's row is like a lesson's row only when it served the same way in about the same "
    "time",
    "[unit]") {
    auto row = [](lab::Server server, const std::string& label, const std::string& verdict,
                  double makespan) {
        lab::ConfigurationResult r;
        r.configuration.server = server;
        r.configuration.label = label;
        r.verdict = lab::Verdict::read(verdict);
        r.makespan = {makespan, makespan, makespan};
        r.batches.resize(1);
        return r;
    };
    lab::RunResult run;
    run.configurations = {row(lab::Server::lab, "blocked", "sequential", 1.0),
                          row(lab::Server::lab, "awaiting", "concurrent", 0.1),
                          row(lab::Server::app, "yours", "sequential", 1.02)};
    lab::compare_with_lesson(run);
    CHECK(run.configurations[2].verdict.text() == "sequential — like “blocked” (1.000 s)");
    // --only 2: no row of this run served one at a time, so none is named.
    run.configurations.erase(run.configurations.begin());
    run.configurations[1].verdict = {lab::Served::sequential};
    lab::compare_with_lesson(run);
    CHECK(run.configurations[1].verdict.text() == "sequential");
}

TEST_CASE(
    "exercise start writes nothing over what is in the folder, follows no link, and a full disk "
    "leaves nothing",
    "[unit]") {
    namespace fs = std::filesystem;
    const std::string name = lab::exercise_names().front();
    const lab::Exercise exercise = *lab::find_exercise(name);
    const lab::Variant written = lab::variant_of(exercise.scenario, std::nullopt);
    const std::string starter = lab::variant_text(
        test::read_file(exercise.starter), lab::with_variant(exercise.scenario, written), written);
    REQUIRE(starter.size() > 100);
    test::ScratchDir scratch;
    auto start = [&](const fs::path& dir) {
        return test::run_lab("exercise start " + name + " '" + dir.string() + "'");
    };

    SECTION("a student's notes in README.md are kept, and no main.py appears beside them") {
        fs::path dir = scratch.path / "notes";
        fs::create_directories(dir);
        std::ofstream(dir / "README.md") << "my notes";
        auto o = start(dir);
        INFO(o.output);
        CHECK(o.exit_code == 2);
        CHECK(o.output.find("README.md already exists") != std::string::npos);
        CHECK(test::read_file(dir / "README.md") == "my notes");
        CHECK(test::entries_of(dir) == "README.md ");
    }
    SECTION("a README.md that links elsewhere: the file it points to is untouched") {
        fs::path dir = scratch.path / "linked",
                 elsewhere = scratch.write("elsewhere.md", "not yours");
        fs::create_directories(dir);
        fs::create_symlink(elsewhere, dir / "README.md");
        CHECK(start(dir).exit_code == 2);
        CHECK(test::read_file(elsewhere) == "not yours");
        CHECK(test::entries_of(dir) == "README.md ");
    }
    SECTION("a dangling main.py link: nothing is made where it points") {
        fs::path dir = scratch.path / "dangling", outside = scratch.path / "outside.py";
        fs::create_directories(dir);
        fs::create_symlink(outside, dir / "main.py");
        CHECK(start(dir).exit_code == 2);
        CHECK_FALSE(fs::exists(fs::symlink_status(outside)));
        CHECK(test::entries_of(dir) == "main.py ");
    }
    SECTION("a full disk fails the start and leaves nothing; the retry writes both files whole") {
        fs::path dir = scratch.path / "full";
        auto failed =
            test::run_lab_on_full_disk("exercise start " + name + " " + dir.string(), 100);
        INFO(failed.output);
        CHECK(failed.exit_code == 1);
        CHECK(failed.output.find("wrote") == std::string::npos);
        CHECK(test::entries_of(dir).empty());  // not even the folder it made
        CHECK(start(dir).exit_code == 0);
        CHECK(test::read_file(dir / "main.py") == starter);
        CHECK(test::read_file(dir / "README.md").find(name) != std::string::npos);
        CHECK(test::entries_of(dir).size() == std::string("main.py README.md ").size());
    }
    SECTION("a folder whose name has a space: the command it prints can be pasted") {
        fs::path dir = scratch.path / "my work";
        auto o = start(dir);
        CHECK(o.exit_code == 0);
        CHECK(o.output.find("lab exercise check " + name + " '" + dir.string() + "'") !=
              std::string::npos);
        CHECK(test::read_file(dir / "README.md")
                  .find("lab exercise check " + name + " '" + dir.string() + "'") !=
              std::string::npos);
    }
}

// Issue 68: an app that made a group inside its server's group left both behind (a group with
// groups in it cannot be removed); the deepest go first now.
TEST_CASE("a server's group goes with the groups an app made inside it", "[unit][hostile]") {
    const lab::ServerCgroup group = lab::new_server_cgroup();
    if (group.folder.empty()) {
        WARN("not tested: no cgroup (" << group.refused << ")");
        return;
    }
    REQUIRE(::mkdir((group.folder + "/child").c_str(), 0755) == 0);
    REQUIRE(::mkdir((group.folder + "/child/grandchild").c_str(), 0755) == 0);
    lab::end_cgroup(group.folder);
    CHECK_FALSE(std::filesystem::exists(group.folder));
}
