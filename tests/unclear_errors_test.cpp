// A failure is said with its reason: the code an app answered and where its traceback is, the
// system's reason a connection could not be opened, and an app named as uvicorn names it (a
// dotted attribute) taken by the lab's check and the probe alike.
#include <catch2/catch.hpp>

#include "lab/run/server_process.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

TEST_CASE("an app that answers 500 is said to have answered 500, with where its traceback is",
          "[app][untimed]") {
    test::ScratchDir out;
    auto said = test::run_lab("run blocking-async --only 2 --repeat 1 --app " +
                              test::app_file("raises.py") + " --out " + out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 1);
    CHECK(said.output.find("answered 500") != std::string::npos);
    CHECK(said.output.find("server.log") != std::string::npos);
    CHECK(said.output.find("failed: status") == std::string::npos);
    fs::path folder = fs::directory_iterator(fs::directory_iterator(out.path)->path())->path();
    CHECK(test::read_file(folder / "server.log").find("ValueError: a bug in the route") !=
          std::string::npos);  // where it said
}

// `lab ARGS` under `ulimit -n LIMIT` (soft and hard), with no descriptor but 0, 1 and 2 inherited
// (ctest and the test runner leave some open, which would count against the limit).
test::Outcome lab_with_descriptors(int limit, const std::string& args) {
    return test::run_shell(
        "bash -c 'for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec "
        "$n>&-\"; done; ulimit -n " +
        std::to_string(limit) + " && exec " + std::string(LAB_BINARY) + " " + args + "'");
}

TEST_CASE("connections that cannot be opened for want of file descriptors say so", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    const std::string url =
        "http://" + server.host() + ":" + std::to_string(server.port()) + "/delay?ms=200";
    test::ScratchDir out;
    // With 40, `lab load` cannot open 100 connections at once.
    auto said =
        lab_with_descriptors(40, "load " + url + " -n 100 -c 100 --out " + out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 4);  // most of its requests got no answer: the run failed
    CHECK(said.output.find("Too many open files") != std::string::npos);
    // With 8, `lab run` cannot start its server: the reason is said whichever descriptor ran out.
    if (test::under_address_sanitizer) return;  // (8 are too few for the sanitizer's own runtime)
    auto run = lab_with_descriptors(
        8, "run blocking-async --only 1 --repeat 1 --quiet --wide --out " + out.path.string());
    INFO(run.output);
    CHECK(run.exit_code == 4);
    CHECK(run.output.find("Too many open files") != std::string::npos);
}

TEST_CASE(
    "an app named by a dotted attribute, as uvicorn takes it, passes the lab's check and the "
    "probe's",
    "[app][untimed]") {
    test::ScratchDir out;
    auto said =
        test::run_lab("run blocking-async --only 2 --repeat 1 --app " +
                      test::app_file("dotted_attr.py") + ":api.app --out " + out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 0);
    CHECK(said.output.find("your app (dotted_attr.py)") != std::string::npos);
    auto missing = test::run_lab("run blocking-async --app " + test::app_file("dotted_attr.py") +
                                 ":api.nothing");
    CHECK(missing.exit_code == 2);
    CHECK(missing.output.find("has no `api.nothing`") != std::string::npos);
}
