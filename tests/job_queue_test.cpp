// The job queue (lab/queue/) on a real Redis of the lab's own: POST /jobs answers at once, `lab
// worker` runs the job, the harness's submit-then-poll records both moments, and no job is lost
// when a worker dies, nor any process left when `lab` is killed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <set>
#include <thread>

#include <hiredis/hiredis.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "harness/load_generator.hpp"
#include "harness/statistics.hpp"
#include "lab/queue/job_queue.hpp"
#include "lab/queue/rq_registries.hpp"
#include "lab/run/server_process.hpp"
#include "lab/services/private_redis.hpp"
#include "support.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::unique_ptr<lab::ServerProcess> start_worker(const std::string& redis_url,
                                                 int concurrency = 1) {
    return std::make_unique<lab::ServerProcess>(
        std::vector<std::string>{LAB_BINARY, "worker", "--redis-url", redis_url, "--concurrency",
                                 std::to_string(concurrency)},
        10s, lab::ServerProcess::Ready::first_line);
}

long submit(httplib::Client& client, const std::string& query) {
    auto res = client.Post(("/jobs?" + query).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 202);
    return json::parse(res->body).at("job").get<long>();
}

json status_of(httplib::Client& client, long id) {
    auto res = client.Get(("/jobs/" + std::to_string(id)).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return json::parse(res->body);
}

bool in_state(httplib::Client& client, long id, const std::string& state) {
    return status_of(client, id).value("state", "") == state;
}

}  // namespace

TEST_CASE(
    "POST /jobs answers 202 at once; a lab worker runs the job; GET /jobs/{id} tells its state and "
    "times",
    "[services]") {
    lab::PrivateRedis redis;
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--redis-url", redis.url()});
    httplib::Client client(server.host(), server.port());
    long id = submit(client, "wait_ms=200");
    json queued = status_of(client, id);
    CHECK(queued["state"] == "queued");  // no worker yet: it waits in Redis
    CHECK(queued["queue_depth"] == 1);
    CHECK(client.Get("/jobs/999999")->status == 404);

    auto worker = start_worker(redis.url());
    REQUIRE(test::eventually([&] { return in_state(client, id, "finished"); }, 5s));
    json done = status_of(client, id);
    CHECK(done["attempts"] == 1);
    CHECK(done["worker_pid"] == worker->pid());
    CHECK(done["result"]["waited_ms"] == 200);
    CHECK(done["started_at_us"].get<long>() >= done["queued_at_us"].get<long>());
    CHECK(done["finished_at_us"].get<long>() - done["started_at_us"].get<long>() >=
          200'000);  // it did wait
    CHECK(done["queue_depth"] == 0);

    // Without Redis, the queue's routes say so.
    lab::ServerProcess without(LAB_BINARY, {"--mode", "async-sleep"});
    httplib::Client other(without.host(), without.port());
    CHECK(other.Post("/jobs?cpu_ms=1")->status == 503);
}

TEST_CASE("The harness submits, then polls until done: answer and completion both recorded",
          "[services]") {
    lab::PrivateRedis redis;
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--redis-url", redis.url()});
    auto first = start_worker(redis.url()), second = start_worker(redis.url());
    lab::LoadSpec spec;
    spec.host = server.host();
    spec.port = server.port();
    spec.method = "POST";
    spec.target = "/jobs?wait_ms=200";
    spec.requests = 4;
    spec.concurrency = 4;
    spec.poll_jobs = true;
    spec.poll_every = 20ms;
    lab::Batch batch = lab::run_concurrent_batch(spec);
    std::int64_t last_done = 0;
    for (const auto& r : batch.requests) {
        INFO("request " << r.index);
        REQUIRE(r.ok());
        CHECK(r.status == 202);
        CHECK(r.latency_us() < 200'000);  // the answer did not wait for the work
        CHECK(r.send_us <= r.job_queued_us);
        CHECK(r.job_queued_us <= r.server_start_us);
        CHECK(r.server_end_us - r.server_start_us >= 200'000);
        CHECK(r.server_end_us <= r.done_us + 5'000);  // (two clocks, lined up to a few ms)
        CHECK((r.worker_pid == first->pid() || r.worker_pid == second->pid()));
        last_done = std::max(last_done, r.finished_us());
    }
    lab::BatchStats stats = lab::summarize(batch);
    CHECK(stats.makespan_s >=
          0.4);  // two workers, four jobs of 200 ms: two rounds cannot take less
    CHECK(stats.makespan_s < 1.5);
    CHECK(stats.max_in_service == 2);  // a job at a time per worker
}

TEST_CASE("A job whose worker is killed mid-job is not lost: another worker runs it",
          "[services]") {
    lab::PrivateRedis redis;
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--redis-url", redis.url()});
    httplib::Client client(server.host(), server.port());
    auto doomed = start_worker(redis.url(), 2);
    long a = submit(client, "wait_ms=1500"), b = submit(client, "cpu_ms=300");
    REQUIRE(test::eventually(
        [&] { return in_state(client, a, "started") && in_state(client, b, "started"); }, 5s));
    kill(doomed->pid(), SIGKILL);  // mid-job: no goodbye, its jobs still on its own list
    doomed->stop();

    auto rescuer = start_worker(
        redis.url());  // once the dead worker's lease runs out (3 s), it puts them back
    for (long id : {a, b}) {
        INFO("job " << id);
        REQUIRE(test::eventually([&] { return in_state(client, id, "finished"); }, 15s));
        json done = status_of(client, id);
        CHECK(done["attempts"] == 2);
        CHECK(done["worker_pid"] == rescuer->pid());
    }
    CHECK(status_of(client, a)["queue_depth"] == 0);
}

TEST_CASE("A job whose workers keep dying is marked failed after three attempts, never dropped",
          "[services]") {
    lab::PrivateRedis redis;
    lab::RedisAddress where = lab::redis_address(redis.url());
    lab::RedisConnection connection(where);
    long id = lab::enqueue_job(connection, lab::JobKind::wait, 10ms);
    for (int attempt = 1; attempt <= lab::job_attempts; ++attempt) {
        std::string ghost =
            "ghost:" + std::to_string(attempt);  // a worker that takes the job and dies
        lab::renew_lease(connection, ghost);
        auto taken = lab::take_job(connection, ghost, 1s);
        REQUIRE(taken);
        CHECK(taken->id == id);
        lab::mark_started(connection, ghost, id);
        CHECK(lab::rescue_jobs_of_dead_workers(connection) == 0);  // its lease still runs
        freeReplyObject(redisCommand(connection.get(), "DEL lab:jobs:alive:%s",
                                     ghost.c_str()));  // the lease runs out
        CHECK(lab::rescue_jobs_of_dead_workers(connection) == 1);
    }
    auto job = lab::job_status(connection, id);
    REQUIRE(job);
    CHECK((*job)["state"] == "failed");
    CHECK((*job)["attempts"] == lab::job_attempts);
    CHECK((*job)["queue_depth"] == 0);
    CHECK_FALSE(lab::take_job(connection, "late", 1s));  // not requeued a fourth time
}

TEST_CASE("No redis-server, server or queue worker outlives `lab run` when it is killed",
          "[services][tmp-folders]") {
    namespace fs = std::filesystem;
    auto before = test::temporary_folders("lab-redis-");
    fs::path out = fs::temp_directory_path() / ("lab-queue-kill-" + std::to_string(getpid()));
    pid_t lab =
        test::spawn_lab({"run", "background-queue", "--only", "3", "--delay", "3000", "--requests",
                         "2", "--repeat", "1", "--quiet", "--out", out.string()});
    fs::path folder;
    // Its Redis, then the server and the two workers on it (their command lines name its socket).
    bool running = test::eventually(
        [&] {
            folder = test::new_folder(before, test::temporary_folders("lab-redis-"));
            return !folder.empty() && test::processes_naming(folder.string()).size() >= 4;
        },
        15s);
    std::set<pid_t> started =
        folder.empty() ? std::set<pid_t>{} : test::processes_naming(folder.string());
    for (pid_t p : started) {
        std::string command = test::read_file("/proc/" + std::to_string(p) + "/cmdline");
        std::replace(command.begin(), command.end(), '\0', ' ');
        UNSCOPED_INFO(p << ": " << command);
    }
    const std::string left = test::killed_lab_leaves(lab, started, folder);
    REQUIRE(running);
    CHECK(started.size() >= 4);
    CHECK(left == "");
    fs::remove_all(out);
}

// What the lab reads of a student's RQ queues, on a real Redis written the way RQ writes it: every
// queue RQ named, summed, in one step; and the wait after a batch, which ends when no job waits,
// runs, or is held by a busy worker, or at its limit.
TEST_CASE(
    "RQ's own account of a Redis: every queue it named, summed; settled once no job waits or runs",
    "[services]") {
    lab::PrivateRedis redis;
    lab::RedisConnection c(lab::redis_address(redis.url()));
    CHECK(lab::rq_jobs(redis.url()).settled());  // no queue yet: nothing to wait for
    for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
             {"SADD", "rq:queues", "rq:queue:reports", "rq:queue:mail"},
             {"RPUSH", "rq:queue:reports", "j1"},
             {"ZADD", "rq:finished:reports", "1", "j2", "2", "j3"},
             {"ZADD", "rq:finished:mail", "1", "j4"},
             {"ZADD", "rq:failed:mail", "1", "j5"},
             {"ZADD", "rq:wip:mail", "1", "j6"},
             {"SADD", "rq:workers", "rq:worker:w1"},
             {"HSET", "rq:worker:w1", "state", "busy"}})
        lab::redis_command(c, command);
    const lab::RqJobs now = lab::rq_jobs(redis.url());
    CHECK(now.waiting == 1);
    CHECK(now.started == 1);
    CHECK(now.finished == 3);
    CHECK(now.failed == 1);
    CHECK(now.busy_workers == 1);
    CHECK_FALSE(now.settled());
    // The worker ends both jobs while the lab waits: settled, with them counted.
    std::thread worker([&] {
        lab::RedisConnection w(lab::redis_address(redis.url()));
        std::this_thread::sleep_for(100ms);
        for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
                 {"LPOP", "rq:queue:reports"},
                 {"ZREM", "rq:wip:mail", "j6"},
                 {"ZADD", "rq:finished:reports", "3", "j1", "4", "j6"},
                 {"HSET", "rq:worker:w1", "state", "idle"}})
            lab::redis_command(w, command);
    });
    const lab::RqJobs settled = lab::rq_jobs_settled(redis.url(), 10s);
    worker.join();
    CHECK(settled.settled());
    CHECK(settled.finished == 5);
    // A job no worker takes: the wait ends at its limit, not before.
    lab::redis_command(c, {"RPUSH", "rq:queue:mail", "j7"});
    const auto began = std::chrono::steady_clock::now();
    CHECK(lab::rq_jobs_settled(redis.url(), 300ms).waiting == 1);
    const auto waited = std::chrono::steady_clock::now() - began;
    CHECK(waited >= 300ms);
    CHECK(waited < 5s);
}
