#include "lab/queue/worker.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "lab/queue/job_queue.hpp"
#include "lab/compute/cpu_work.hpp"

namespace lab {
namespace {

std::atomic<bool> stopping{false};

// Sleeps `total`, or less if asked to stop meanwhile.
void pause_unless_stopping(std::chrono::milliseconds total) {
    for (auto left = total; left.count() > 0 && !stopping; left -= std::chrono::milliseconds(50))
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
}

// `step` on a connection to `where`, `every` apart, until told to stop; after an error, said, a
// new connection `after_error` later (a job held stays on this worker's list: once this worker
// stops, another puts it back).
template <class Step>
void keep_connected(const RedisAddress& where, std::chrono::milliseconds every,
                    std::chrono::milliseconds after_error, Step step) {
    for (std::optional<RedisConnection> redis; !stopping; pause_unless_stopping(every)) try {
            if (!redis) redis.emplace(where);
            step(*redis);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "lab worker: %s; trying again\n", e.what());
            redis.reset();
            pause_unless_stopping(after_error);
        }
}

// Renews this worker's lease six times a lease (every worker_lease / 6), and puts back the jobs of
// workers whose lease ran out: each watches over the others, so no job waits on a worker gone.
void keep_alive(const RedisAddress& where, const std::string& name) {
    keep_connected(where, worker_lease / 6, {}, [&](RedisConnection& redis) {
        renew_lease(redis, name);
        if (int n = rescue_jobs_of_dead_workers(redis); n > 0)
            std::fprintf(stderr,
                         "lab worker: %d job(s) of a stopped worker went back (or failed)\n", n);
    });
}

// The job's work, as /cpu or /delay would do it, and its result as JSON.
std::string run_job(const TakenJob& job) {
    if (job.kind == JobKind::compute) {
        std::int64_t used_us = do_cpu_work(job.amount);
        return nlohmann::json{{"cpu_ms_used", static_cast<double>(used_us) / 1000.0}}.dump();
    }
    std::this_thread::sleep_for(job.amount);
    return nlohmann::json{{"waited_ms", job.amount.count() / 1000}}.dump();
}

// One of the K takers: a job at a time (take_job waits a second at most), until told to stop.
void take_jobs(const RedisAddress& where, const std::string& name) {
    keep_connected(where, {}, std::chrono::seconds(1), [&](RedisConnection& redis) {
        if (std::optional<TakenJob> job = take_job(redis, name, std::chrono::seconds(1))) {
            mark_started(redis, name, job->id);
            mark_finished(redis, name, job->id, run_job(*job));
        }
    });
}

}  // namespace

int run_worker(const WorkerOptions& options) {
    RedisAddress where = redis_address(options.redis_url);  // std::invalid_argument: a usage error
    char host[256] = {};  // this worker's name among all workers of the queue, on every machine
    gethostname(host, sizeof host - 1);
    const std::string name = std::string(host) + ":" + std::to_string(getpid());
    try {
        RedisConnection redis(where);
        renew_lease(redis, name);  // alive before it takes anything
        rescue_jobs_of_dead_workers(redis);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lab worker: %s\n", e.what());
        return 1;
    }
    struct sigaction on_stop {};
    on_stop.sa_handler = [](int) { stopping = true; };
    sigaction(SIGINT, &on_stop, nullptr);
    sigaction(SIGTERM, &on_stop, nullptr);

    std::vector<std::thread> threads;
    threads.emplace_back(keep_alive, where, name);
    for (int k = 0; k < options.concurrency; ++k) threads.emplace_back(take_jobs, where, name);
    std::printf("taking jobs from %s as %s, %d at a time\n", options.redis_url.c_str(),
                name.c_str(), options.concurrency);
    std::fflush(stdout);
    for (auto& t : threads) t.join();
    return 0;
}

}  // namespace lab
