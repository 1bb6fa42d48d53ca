// The lab's own PostgreSQL and Redis (lab/services/), the real binaries: each starts and answers
// on its URL, and then nothing of it is left, neither process nor folder, when its object goes,
// and also when the process that started it is killed (SIGKILL, SIGTERM, SIGINT): its keeper's
// work. Also the one request the lab makes of Linux itself while it measures (idle CPUs kept
// awake), which goes with its object too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/awake_cpus.hpp"
#include "lab/drivers/redis.hpp"
#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The processes that name `folder` in their command line or work inside it (postgres's backends
// rename themselves, but their working folder stays the data folder): "PID: command line".
std::vector<std::string> processes_in(const fs::path& folder) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string pid = entry.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string command = test::read_file(entry.path() / "cmdline");
        std::replace(command.begin(), command.end(), '\0', ' ');
        std::error_code gone;
        std::string cwd = fs::read_symlink(entry.path() / "cwd", gone).string();
        if (command.find(folder.string()) != std::string::npos ||
            cwd.rfind(folder.string(), 0) == 0)
            found.push_back(pid + ": " + command);
    }
    return found;
}

// The service, or nullptr and a warning if its Debian package is missing (the test is skipped).
template <class Service, class... Args>
std::unique_ptr<Service> start_or_skip(Args... args) {
    try {
        return std::make_unique<Service>(args...);
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("is not installed") == std::string::npos) throw;
        WARN("skipped: " << e.what());
        return nullptr;
    }
}

std::string query(PGconn* connection, const char* sql) {
    PGresult* result = PQexec(connection, sql);
    std::string value = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1
                            ? PQgetvalue(result, 0, 0)
                            : "error: " + std::string(PQerrorMessage(connection));
    PQclear(result);
    return value;
}

std::string ping(const std::string& redis_url) {
    redisContext* c = redisConnectUnix(lab::redis_address(redis_url).socket_path.c_str());
    auto* reply = c && !c->err ? static_cast<redisReply*>(redisCommand(c, "PING")) : nullptr;
    std::string text = reply && reply->type == REDIS_REPLY_STATUS ? reply->str : "no answer";
    if (reply) freeReplyObject(reply);
    if (c) redisFree(c);
    return text;
}

// Destroys the service, and checks that its folder, its processes and its keeper are gone.
template <class Service>
void stop_and_check(std::unique_ptr<Service>& service) {
    fs::path folder = service->folder();
    pid_t keeper = service->keeper_pid();
    auto started = std::chrono::steady_clock::now();
    service.reset();
    CHECK(std::chrono::steady_clock::now() - started <
          4s);  // a polite stop, not the SIGKILL after 5 s
    CHECK_FALSE(fs::exists(folder));
    CHECK(processes_in(folder).empty());
    CHECK_FALSE(test::alive(keeper));
}

// Starts Service in a child process that reports its folder and keeper, then sleeps until
// `signal` ends it (its default action: the child has no handler). Then, within 10 s, nothing of
// the service may be left.
template <class Service>
void killed_owner_leaves_nothing(int signal) {
    int report[2];
    REQUIRE(pipe(report) == 0);
    pid_t owner = fork();
    REQUIRE(owner >= 0);
    if (owner == 0) {
        close(report[0]);
        // As a lab with no handler: not Catch2's handlers, nor a shell's "ignore" for background
        // jobs.
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        auto say = [&](const std::string& line) {
            [[maybe_unused]] auto n = write(report[1], line.data(), line.size());
        };
        try {
            Service service;
            say(service.folder().string() + " " + std::to_string(service.keeper_pid()) + "\n");
            for (;;) pause();  // until the signal, with `service` alive
        } catch (const std::exception& e) { say(std::string("error: ") + e.what() + "\n"); }
        _exit(1);
    }
    close(report[1]);
    std::string line;
    for (char c; line.find('\n') == std::string::npos && read(report[0], &c, 1) == 1;) line += c;
    close(report[0]);
    if (line.empty() || line.rfind("error: ", 0) == 0) {
        waitpid(owner, nullptr, 0);
        if (line.find("is not installed") != std::string::npos) {
            WARN("skipped: " << line);
            return;
        }
        FAIL("the process starting the service said: " << line);
    }
    fs::path folder = line.substr(0, line.find(' '));
    pid_t keeper = std::stoi(line.substr(line.find(' ') + 1));
    REQUIRE(fs::is_directory(folder));
    REQUIRE_FALSE(processes_in(folder).empty());

    kill(owner, signal);
    int status = 0;
    waitpid(owner, &status, 0);
    CHECK((WIFSIGNALED(status) && WTERMSIG(status) == signal));
    bool clean = test::eventually(
        [&] { return !fs::exists(folder) && processes_in(folder).empty() && !test::alive(keeper); },
        10s);
    std::string left;
    for (const auto& p : processes_in(folder)) left += p + "; ";
    INFO("signal " << signal << ", folder " << folder << ", processes left: " << left);
    CHECK(clean);
}

}  // namespace

TEST_CASE("A private PostgreSQL answers on its URL, on no TCP port, and is gone with its object",
          "[services]") {
    auto pg = start_or_skip<lab::PrivatePostgres>(50);
    if (!pg) return;
    CHECK(fs::is_directory(pg->folder()));
    CHECK(pg->url() == "postgresql://lab@/postgres?host=" + pg->folder().string());
    CHECK_FALSE(processes_in(pg->folder()).empty());  // (so the checks after the end can see them)
    PGconn* connection = PQconnectdb(pg->url().c_str());
    INFO(PQerrorMessage(connection));
    REQUIRE(PQstatus(connection) == CONNECTION_OK);
    CHECK(query(connection, "SELECT 1") == "1");
    CHECK(query(connection, "SELECT current_user") == "lab");
    CHECK(query(connection, "SHOW max_connections") == "50");
    CHECK(query(connection, "SHOW listen_addresses").empty());
    stop_and_check(pg);  // with the connection still open, as a pool's are when lab ends
    PQfinish(connection);
}

TEST_CASE("A private Redis answers PING on its URL, and is gone with its object", "[services]") {
    auto redis = start_or_skip<lab::PrivateRedis>();
    if (!redis) return;
    CHECK(fs::exists(redis->folder() / "redis.sock"));
    CHECK(redis->url() == "unix://" + (redis->folder() / "redis.sock").string());
    CHECK_FALSE(processes_in(redis->folder()).empty());
    CHECK(ping(redis->url()) == "PONG");
    stop_and_check(redis);
}

TEST_CASE("A private service that cannot start is one line with its reason, and leaves no folder",
          "[services][tmp-folders]") {
    auto before = test::temporary_folders("lab-pg-");
    std::string message;
    try {
        lab::PrivatePostgres pg(1);  // fewer than the 3 connections PostgreSQL keeps for superusers
    } catch (const std::runtime_error& e) { message = e.what(); }
    if (message.find("is not installed") != std::string::npos) {
        WARN("skipped: " << message);
        return;
    }
    INFO(message);
    CHECK(message.rfind(
              "PostgreSQL did not start: PostgreSQL exited with status 1 before it was ready", 0) ==
          0);
    CHECK(message.find("max_connections") !=
          std::string::npos);  // postgres's own reason, from its log
    CHECK(message.find('\n') == std::string::npos);
    CHECK(test::temporary_folders("lab-pg-") == before);
}

TEST_CASE("A missing PostgreSQL is one line naming the Debian package", "[services][tmp-folders]") {
    const char* was = std::getenv("LAB_PG_BIN");
    std::string saved = was ? was : "";
    setenv("LAB_PG_BIN", "/nonexistent", 1);
    auto before = test::temporary_folders("lab-pg-");
    std::string message;
    try {
        lab::PrivatePostgres pg;
    } catch (const std::runtime_error& e) { message = e.what(); }
    if (was) setenv("LAB_PG_BIN", saved.c_str(), 1);
    else unsetenv("LAB_PG_BIN");
    CHECK(message == "PostgreSQL is not installed: apt-get install postgresql-15");
    CHECK(test::temporary_folders("lab-pg-") == before);
}

TEST_CASE("A private PostgreSQL is gone however the process that started it ends", "[services]") {
    killed_owner_leaves_nothing<lab::PrivatePostgres>(GENERATE(SIGKILL, SIGTERM, SIGINT));
}

TEST_CASE("A private Redis is gone however the process that started it ends", "[services]") {
    killed_owner_leaves_nothing<lab::PrivateRedis>(GENERATE(SIGKILL, SIGTERM, SIGINT));
}

namespace {
// How many of this process's descriptors are open on /dev/cpu_dma_latency.
int latency_requests_open() {
    int open = 0;
    for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        if (fs::read_symlink(fd.path(), ec) == "/dev/cpu_dma_latency") ++open;
    }
    return open;
}
}  // namespace

TEST_CASE("Idle CPUs are kept awake only while asked, where Linux allows it, and nothing is left",
          "[unit]") {
    const bool allowed = test::may_keep_cpus_awake();  // root, with the device
    {
        lab::AwakeCpus awake;
        CHECK(awake.held() == allowed);
        CHECK(latency_requests_open() == (allowed ? 1 : 0));
        lab::AwakeCpus not_asked{false};  // --let-cpus-sleep
        CHECK_FALSE(not_asked.held());
    }
    CHECK(latency_requests_open() == 0);  // closed with its object: Linux drops the request
}
