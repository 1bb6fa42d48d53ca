// Scale-out behind a real nginx (lab/services/nginx_balancer): the config it generates, a burst
// split evenly over the hosts, and nothing left (nginx, hosts, folder) when `lab run` is killed.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <set>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "lab/run/server_process.hpp"
#include "lab/services/nginx_balancer.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST_CASE("nginx's generated config: loopback only, one process, the hosts in one upstream",
          "[unit]") {
    std::string round_robin = lab::NginxBalancer::config({8001, 8002}, lab::Upstream::round_robin,
                                                         9000, "/tmp/lab-nginx-x");
    CHECK(round_robin.find("listen 127.0.0.1:9000;") != std::string::npos);
    CHECK(round_robin.find("server 127.0.0.1:8001;") != std::string::npos);
    CHECK(round_robin.find("server 127.0.0.1:8002;") != std::string::npos);
    CHECK(round_robin.find("master_process off;") != std::string::npos);
    CHECK(round_robin.find("least_conn;") == std::string::npos);
    CHECK(round_robin.find("pid /tmp/lab-nginx-x/nginx.pid;") != std::string::npos);
    std::string least =
        lab::NginxBalancer::config({8001}, lab::Upstream::least_conn, 9000, "/tmp/lab-nginx-x");
    CHECK(least.find("least_conn;") != std::string::npos);
}

TEST_CASE(
    "nginx round-robin sends a host each request in turn; it and its folder go with the object",
    "[services]") {
    std::unique_ptr<lab::ServerProcess> hosts[2] = {
        std::make_unique<lab::ServerProcess>(LAB_BINARY,
                                             std::vector<std::string>{"--mode", "async-sleep"}),
        std::make_unique<lab::ServerProcess>(LAB_BINARY,
                                             std::vector<std::string>{"--mode", "async-sleep"})};
    fs::path folder;
    {
        lab::NginxBalancer nginx({hosts[0]->port(), hosts[1]->port()}, lab::Upstream::round_robin);
        folder = nginx.folder();
        httplib::Client client("127.0.0.1", nginx.port());
        std::set<long> answered_by;
        for (int i = 0; i < 4; ++i) {
            auto res = client.Get("/");
            REQUIRE(res);
            CHECK(res->status == 200);
            answered_by.insert(nlohmann::json::parse(res->body).at("worker_id").get<long>());
        }
        CHECK(answered_by == std::set<long>{hosts[0]->pid(), hosts[1]->pid()});
        CHECK_FALSE(test::processes_naming(folder.string()).empty());
    }
    CHECK_FALSE(fs::exists(folder));
    CHECK(test::survivors(test::processes_naming(folder.string())).empty());
}

TEST_CASE("No nginx and no host outlives `lab run scale-out` when it is killed",
          "[services][tmp-folders]") {
    auto before = test::temporary_folders("lab-nginx-");
    fs::path out = fs::temp_directory_path() / ("lab-scale-kill-" + std::to_string(getpid()));
    pid_t lab = test::spawn_lab({"run", "scale-out", "--only", "2", "--delay", "3000", "--repeat",
                                 "1", "--quiet", "--out", out.string()});
    fs::path folder;
    bool running = test::eventually(
        [&] {
            folder = test::new_folder(before, test::temporary_folders("lab-nginx-"));
            return !folder.empty() && !test::processes_naming(folder.string()).empty();
        },
        15s);
    std::set<pid_t> started = test::descendants(lab);  // the four hosts, nginx's keeper and nginx
    for (pid_t p : test::processes_naming(folder.string())) started.insert(p);
    const std::string left = test::killed_lab_leaves(lab, started, folder);
    REQUIRE(running);
    CHECK(started.size() >= 6);
    CHECK(left == "");
    fs::remove_all(out);
}
