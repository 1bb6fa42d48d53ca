// A failure is said with its reason: the code an app answered and where its traceback is, the
// system's reason a connection could not be opened, and an app named as uvicorn names it (a
// dotted attribute) taken by the lab's check and the probe alike.
#include <catch2/catch.hpp>

#include "lab/run/server_process.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

TEST_CASE("an app that answers 500 is said to have answered 500, with where its traceback is", "[app]") {
    test::ScratchDir out;
    auto said = test::run_lab("run blocking-async --only 2 --repeat 1 --app " + test::app_file("raises.py") + " --out " + out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 1);
    CHECK(said.output.find("answered 500") != std::string::npos);
    CHECK(said.output.find("server.log") != std::string::npos);
    CHECK(said.output.find("failed: status") == std::string::npos);
    fs::path folder = fs::directory_iterator(fs::directory_iterator(out.path)->path())->path();
    CHECK(test::read_file(folder / "server.log").find("ValueError: a bug in the route") != std::string::npos);  // where it said
}

TEST_CASE("connections that cannot be opened for want of file descriptors say so", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep"});
    const std::string url = "http://" + server.host() + ":" + std::to_string(server.port()) + "/delay?ms=200";
    // A shell's `ulimit -n 40` (soft and hard): `lab load` cannot open 100 connections at once.
    auto said = test::run_shell("sh -c 'ulimit -n 40 && exec " + std::string(LAB_BINARY) + " load " + url + " -n 100 -c 100'");
    INFO(said.output);
    CHECK(said.exit_code == 1);
    CHECK(said.output.find("Too many open files") != std::string::npos);
    // With 5, `lab run` cannot start its server: the reason is said whichever descriptor ran out.
    test::ScratchDir out;
    auto run = test::run_shell("sh -c 'ulimit -n 5 && exec " + std::string(LAB_BINARY) + " run blocking-async --only 1 --repeat 1 --quiet --wide --out " +
                               out.path.string() + "'");
    INFO(run.output);
    CHECK(run.exit_code == 1);
    CHECK(run.output.find("Too many open files") != std::string::npos);
}

TEST_CASE("an app named by a dotted attribute, as uvicorn takes it, passes the lab's check and the probe's", "[app]") {
    test::ScratchDir out;
    auto said = test::run_lab("run blocking-async --only 2 --repeat 1 --app " + test::app_file("dotted_attr.py") + ":api.app --out " +
                              out.path.string());
    INFO(said.output);
    CHECK(said.exit_code == 0);
    CHECK(said.output.find("your app (dotted_attr.py)") != std::string::npos);
    auto missing = test::run_lab("run blocking-async --app " + test::app_file("dotted_attr.py") + ":api.nothing");
    CHECK(missing.exit_code == 2);
    CHECK(missing.output.find("has no `api.nothing`") != std::string::npos);
}
