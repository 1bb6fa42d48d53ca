#pragma once
// A job queue on Redis: the documents' "background task queue" (RQ, Celery), built from Redis's
// own lists so that the queue, not the lab, is what connects the web server to its workers.
// Workers may run anywhere that reaches the Redis.
//
// The keys, all under lab:jobs:
//   next                 a counter: each job's id
//   {id}                 a hash: kind, ms, state, attempts, queued/started/finished_at_us, worker,
//                        result
//   queue                a list of ids waiting, oldest on the right
//   processing:{worker}  ids a worker has taken and not finished (the reliable-queue pattern: a
//                        job moves here atomically as it is taken, so a worker that dies holds
//                        it where others can find it)
//   alive:{worker}       present while the worker's heartbeat renews it (it expires 3 s after)
//   workers              every worker that has taken jobs, alive or not
//
// A job's times are Redis's clock (TIME, Unix microseconds): one clock for every worker anywhere.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/clock.hpp"
#include "lab/drivers/redis.hpp"
#include "lab/named.hpp"

struct redisContext;
struct redisReply;

namespace lab {

enum class JobKind { compute, wait };  // /cpu's work, or /delay's
// As a job's hash in Redis names them.
template <>
struct Names<JobKind> {
    static constexpr std::pair<JobKind, std::string_view> list[] = {{JobKind::compute, "cpu"},
                                                                    {JobKind::wait, "wait"}};
};

inline constexpr int job_attempts = 3;  // a job whose worker died this many times is marked failed
// A silent worker counts as dead after this.
inline constexpr std::chrono::milliseconds worker_lease{3000};

// A blocking hiredis connection (one per thread: a connection is not shared).
class RedisConnection {
public:
    explicit RedisConnection(const RedisAddress& where);  // throws std::runtime_error
    redisContext* get() const { return c_.get(); }

private:
    std::unique_ptr<redisContext, void (*)(redisContext*)> c_;
};

// One command's reply (hiredis's), freed with it.
using RedisReply = std::unique_ptr<redisReply, void (*)(void*)>;
// One command, its arguments passed as they are (no format string, so no quoting to get wrong);
// throws std::runtime_error for an error reply or a lost connection.
RedisReply redis_command(RedisConnection& redis, const std::vector<std::string>& args);

// The web server's side: both are one short round trip, made the blocking way on whatever thread
// serves the request, as RQ's enqueue and fetch_job are (redis-py) even in an `async def` route.
long enqueue_job(RedisConnection& redis, JobKind kind, Micros amount);  // the new job's id
// The job's hash as JSON ("job", "state", ...), with the queue's length now; nullopt: no such job.
std::optional<nlohmann::json> job_status(RedisConnection& redis, long id);

// The worker's side (lab/queue/worker.cpp).
struct TakenJob {
    long id = 0;
    JobKind kind = JobKind::compute;
    Micros amount{0};
};
// Waits up to `wait` for a job and moves it, in the same step, to this worker's processing list.
std::optional<TakenJob> take_job(RedisConnection& redis, const std::string& worker,
                                 std::chrono::seconds wait);
void mark_started(RedisConnection& redis, const std::string& worker, long id);
// Stores the result and takes the job off the worker's processing list, in one step.
void mark_finished(RedisConnection& redis, const std::string& worker, long id,
                   const std::string& result);
// The heartbeat: this worker is alive for worker_lease more.
void renew_lease(RedisConnection& redis, const std::string& worker);
// Every job held by a worker whose lease has run out goes back to the queue (to its front), or,
// after job_attempts, is marked failed. Returns how many jobs it rescued or failed.
int rescue_jobs_of_dead_workers(RedisConnection& redis);

}  // namespace lab
