// Control and figures belong to the run that made them (lab/run_key.hpp): another user of the
// machine (`nobody`, tests/data/neighbour.py) cannot read or reset a lab server's /stats, switch
// the probe's attribution off or reset its records, nor send to a live view's marks socket.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"
#include "lab/doctor/run.hpp"
#include "lab/live/live_hub.hpp"
#include "lab/live/mark_senders.hpp"
#include "lab/run/configuration_processes.hpp"
#include "lab/run/server_account.hpp"
#include "lab/run_key.hpp"
#include "support.hpp"

namespace {

// What tests/data/neighbour.py says, run as `nobody` where the tests run as root (else as this
// user: the key still stands between it and the run, but a folder of this user's does not).
std::string neighbour(const std::string& args) {
    const bool root = geteuid() == 0 && access("/usr/sbin/runuser", X_OK) == 0;
    auto said = test::run_shell((root ? "/usr/sbin/runuser -u nobody -- " : "") +
                                std::string("/usr/bin/python3 - ") + args + " < " + LAB_TEST_DATA +
                                "/neighbour.py");
    std::string line = said.output.substr(0, said.output.find('\n'));
    INFO(said.output);
    return line;
}

// The server's own account, asked as the lab asks it: with the run's key, or without.
nlohmann::json asked(const lab::ConfigurationProcesses& p, const std::string& path, bool key) {
    lab::LoadSpec spec;
    spec.host = p.host, spec.port = p.port;
    if (key) spec.run_key = lab::own_run_key();
    return lab::stats_of(spec, path);
}

}  // namespace

TEST_CASE("a lab server's /stats answers its run only: a neighbour's reset is refused 403",
          "[server]") {
    lab::Configuration c;
    c.mode = "async-sleep";
    lab::RunSettings settings{.server_binary = LAB_BINARY};
    lab::ConfigurationProcesses server = lab::start_processes(c, settings);
    const std::string port = std::to_string(server.port);
    CHECK(neighbour("get " + port + " '/stats?reset=1'") == "403");
    CHECK(neighbour("get " + port + " /stats") == "403");
    CHECK(neighbour("get " + port + " /health") == "200");
    CHECK(asked(server, "/stats", false).empty());  // the key, not the user, decides
    CHECK(asked(server, "/stats", true).contains("max_loop_blocked_ms"));
}

TEST_CASE("the probe's controls answer its run only: a neighbour cannot switch it off or reset it",
          "[app][untimed]") {
    lab::Configuration c;
    c.server = lab::Server::app;
    c.app = test::app_file("sleeps_in_async.py");
    lab::ConfigurationProcesses app = lab::start_processes(c, {.server_binary = LAB_BINARY});
    const std::string port = std::to_string(app.port);
    for (const char* path : {"'/__lab/attribution?on=0'", "'/__lab/requests?reset=1'",
                             "'/__lab/stats?reset=1'", "/__lab/routes"})
        CHECK(neighbour("get " + port + " " + path) == "403");
    // The bystander's path stays open: it is what the doctor times, and it changes nothing.
    CHECK(neighbour("get " + port + " /__lab/health") == "200");
    CHECK(asked(app, "/__lab/requests", false).empty());
    nlohmann::json records = asked(app, "/__lab/requests", true);
    CHECK(records.contains("requests"));
    CHECK(records.value("attribution", true));  // still on
    CHECK_NOTHROW(lab::records_from_json(records));
}

TEST_CASE("a probe found switched off fails the doctor's run loudly, never passes", "[unit]") {
    nlohmann::json off = {{"requests", nlohmann::json::array()}, {"attribution", false}};
    CHECK_THROWS_WITH(lab::records_from_json(off), Catch::Contains("switched off"));
}

TEST_CASE("the FastAPI twins' /stats answers their run only", "[app][untimed]") {
    lab::Configuration c;
    c.server = lab::Server::fastapi, c.mode = "async-sleep";
    lab::ConfigurationProcesses twin = lab::start_processes(c, {.server_binary = LAB_BINARY});
    CHECK(neighbour("get " + std::to_string(twin.port) + " '/stats?reset=1'") == "403");
    CHECK(asked(twin, "/stats", true).contains("worker_id"));
}

TEST_CASE("a neighbour cannot send to the live view's marks socket: a flood costs the run nothing",
          "[unit][hostile]") {
    std::filesystem::path folder;
    {
        lab::LiveHub hub;
        folder = std::filesystem::path(hub.marks_path()).parent_path();
        struct stat st {};
        REQUIRE(stat(folder.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);  // this user's alone
        if (geteuid() == 0)
            CHECK(neighbour("flood " + hub.marks_path() + " 100000").starts_with("refused"));
        else WARN("not root: the neighbour cannot be another user here");
    }
    CHECK_FALSE(std::filesystem::exists(folder));  // and nothing of it is left
}

// A flood from this user's own processes passes the folder's permissions: each datagram's sender
// is then looked up, and what it was found to be is believed for a second. Measured here against
// a walk of /proc each time, on the same machine: 100,000 datagrams cost a small part of that.
TEST_CASE("a same-user flood on the marks socket costs one walk of /proc a sender and second",
          "[unit][hostile]") {
    const pid_t stranger = getppid();  // (above the test: never one of its own processes)
    auto seconds_for = [](auto&& work) {
        const auto began = std::chrono::steady_clock::now();
        work();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    };
    const double walk_s = seconds_for([&] {
                              for (int k = 0; k < 1000; ++k)
                                  CHECK_FALSE(lab::live::OwnProcesses{}.includes(stranger));
                          }) /
                          1000;
    lab::live::OwnProcesses own;
    CHECK(own.includes(getpid()));
    const double flood_s = seconds_for([&] {
        for (int k = 0; k < 100'000; ++k) own.includes(stranger);
    });
    INFO("a walk " << walk_s * 1e6 << " µs; 100,000 remembered lookups " << flood_s * 1e3 << " ms");
    CHECK(flood_s < 100'000 * walk_s / 10);
}

// Issue 68: a run whose servers get no cgroup says so: a user the system delegates no group to
// (`nobody`, where the tests run as root) runs a lesson, told once what then stops its servers.
TEST_CASE("a run without a cgroup for its servers says so, once", "[e2e][untimed]") {
    if (geteuid() != 0 || access("/usr/sbin/runuser", X_OK) != 0) {
        WARN("not tested: needs root and runuser, to run the lab as a user with no group");
        return;
    }
    test::ScratchDir out;
    std::filesystem::permissions(out.path, std::filesystem::perms::all);  // (nobody writes there)
    const auto said =
        test::run_shell("/usr/sbin/runuser -u nobody -- env COLUMNS=80 " + std::string(LAB_BINARY) +
                        " run blocking-async --repeat 1 --delay 5 --quiet --out " +
                        (out.path / "results").string());
    INFO(said.output);
    CHECK(said.exit_code == 0);
    // Wrapped to the terminal as every line of the run (a container's lab says it at each run);
    // its words read across the lines it was wrapped into.
    CHECK(test::longest_line(said.output.substr(0, said.output.find("results: "))) <= 80);
    std::string words = said.output;
    std::ranges::replace(words, '\n', ' ');
    const std::string note = "lab: the servers run in no cgroup (cannot make ";
    REQUIRE(words.find(note) != std::string::npos);
    CHECK(words.find(note, words.find(note) + 1) == std::string::npos);
    CHECK(words.find("each is stopped by its process group and death signal") != std::string::npos);
}
