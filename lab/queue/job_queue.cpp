#include "lab/queue/job_queue.hpp"

#include <stdexcept>

#include <unistd.h>

#include <hiredis/hiredis.h>

namespace lab {

// (job_queue.hpp)
RedisReply redis_command(RedisConnection& redis, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(redis.get(), static_cast<int>(args.size()), argv.data(), lengths.data()));
    if (!reply) throw std::runtime_error("Redis: " + std::string(redis.get()->errstr));
    RedisReply owned{reply, freeReplyObject};
    if (reply->type == REDIS_REPLY_ERROR)
        throw std::runtime_error("Redis: " + std::string(reply->str, reply->len));
    return owned;
}

namespace {

// The scripts run inside Redis, each as one step no other client can interleave with.
// Now, by Redis's clock, in Unix microseconds (TIME gives seconds and microseconds apart).
constexpr const char* now_us =
    "local t = redis.call('TIME') local now = t[1] .. string.format('%06d', tonumber(t[2])) ";

const std::string enqueue_script = std::string(now_us) + R"(
local id = redis.call('INCR', 'lab:jobs:next')
redis.call('HSET', 'lab:jobs:' .. id, 'kind', ARGV[1], 'ms', ARGV[2], 'state', 'queued',
           'attempts', 0, 'queued_at_us', now)
redis.call('LPUSH', 'lab:jobs:queue', id)
return id)";

const std::string started_script = std::string(now_us) + R"(
redis.call('HSET', KEYS[1], 'state', 'started', 'worker', ARGV[1], 'worker_pid', ARGV[2],
           'started_at_us', now)
return redis.call('HINCRBY', KEYS[1], 'attempts', 1))";

const std::string finished_script = std::string(now_us) + R"(
redis.call('HSET', KEYS[1], 'state', 'finished', 'finished_at_us', now, 'result', ARGV[2])
return redis.call('LREM', KEYS[2], 1, ARGV[1]))";

// KEYS[1]: the worker's processing list; ARGV: the worker, its alive key, the attempts allowed.
const std::string rescue_script = std::string(now_us) + R"(
if redis.call('EXISTS', ARGV[2]) == 1 then return 0 end
local held = redis.call('LRANGE', KEYS[1], 0, -1)
for _, id in ipairs(held) do
  local job = 'lab:jobs:' .. id
  local attempts = tonumber(redis.call('HGET', job, 'attempts') or '0')
  if attempts >= tonumber(ARGV[3]) then
    redis.call('HSET', job, 'state', 'failed', 'finished_at_us', now,
               'error', 'its worker stopped in each of ' .. attempts .. ' attempts')
  else
    redis.call('HSET', job, 'state', 'queued')
    redis.call('RPUSH', 'lab:jobs:queue', id)
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', 'lab:jobs:workers', ARGV[1])
return #held)";

std::string job_key(long id) { return "lab:jobs:" + std::to_string(id); }
std::string processing_key(const std::string& worker) { return "lab:jobs:processing:" + worker; }
std::string alive_key(const std::string& worker) { return "lab:jobs:alive:" + worker; }

long integer_of(const RedisReply& r) {
    if (r->type == REDIS_REPLY_INTEGER) return static_cast<long>(r->integer);
    if (r->type == REDIS_REPLY_STRING) return std::stol(std::string(r->str, r->len));
    throw std::runtime_error("Redis: expected a number");
}

}  // namespace

RedisConnection::RedisConnection(const RedisAddress& where)
    : c_(where.socket_path.empty() ? redisConnect(where.host.c_str(), where.port)
                                   : redisConnectUnix(where.socket_path.c_str()),
         redisFree) {
    if (!c_ || c_->err)
        throw std::runtime_error("cannot connect to Redis: " +
                                 std::string(c_ ? c_->errstr : "out of memory"));
}

long enqueue_job(RedisConnection& redis, JobKind kind, Micros amount) {
    return integer_of(redis_command(redis, {"EVAL", enqueue_script, "0", name_of(kind),
                                            std::to_string(amount.count() / 1000)}));
}

std::optional<nlohmann::json> job_status(RedisConnection& redis, long id) {
    RedisReply fields = redis_command(redis, {"HGETALL", job_key(id)});
    if (fields->type != REDIS_REPLY_ARRAY || fields->elements == 0) return std::nullopt;
    nlohmann::json job{{"job", id}};
    for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
        std::string key(fields->element[i]->str, fields->element[i]->len);
        std::string value(fields->element[i + 1]->str, fields->element[i + 1]->len);
        if (key == "result")
            job[key] = nlohmann::json::parse(value, nullptr, false);  // the worker wrote JSON
        else if (key == "kind" || key == "state" || key == "worker" || key == "error")
            job[key] = value;
        else job[key] = std::stoll(value);  // ms, attempts, worker_pid and the *_at_us times
    }
    // Waiting now, all jobs
    job["queue_depth"] = integer_of(redis_command(redis, {"LLEN", "lab:jobs:queue"}));
    return job;
}

std::optional<TakenJob> take_job(RedisConnection& redis, const std::string& worker,
                                 std::chrono::seconds wait) {
    // BLMOVE: the job leaves the queue and lands on this worker's list in one step; had the
    // worker popped it (BRPOP) and then died, it would be gone.
    RedisReply id = redis_command(redis, {"BLMOVE", "lab:jobs:queue", processing_key(worker),
                                          "RIGHT", "LEFT", std::to_string(wait.count())});
    if (id->type == REDIS_REPLY_NIL) return std::nullopt;
    TakenJob job;
    job.id = integer_of(id);
    RedisReply fields = redis_command(redis, {"HMGET", job_key(job.id), "kind", "ms"});
    auto text = [&](std::size_t i) {
        const redisReply* e = fields->element[i];
        return e->type == REDIS_REPLY_STRING ? std::string(e->str, e->len) : std::string();
    };
    auto kind = named<JobKind>(text(0));
    if (!kind || text(1).empty())
        throw std::runtime_error("job " + std::to_string(job.id) + " has no kind or ms");
    job.kind = *kind;
    job.amount = std::chrono::milliseconds(std::stol(text(1)));
    return job;
}

void mark_started(RedisConnection& redis, const std::string& worker, long id) {
    redis_command(redis,
                  {"EVAL", started_script, "1", job_key(id), worker, std::to_string(getpid())});
}

void mark_finished(RedisConnection& redis, const std::string& worker, long id,
                   const std::string& result) {
    redis_command(redis, {"EVAL", finished_script, "2", job_key(id), processing_key(worker),
                          std::to_string(id), result});
}

void renew_lease(RedisConnection& redis, const std::string& worker) {
    redis_command(redis, {"SADD", "lab:jobs:workers", worker});
    redis_command(redis,
                  {"SET", alive_key(worker), "1", "PX", std::to_string(worker_lease.count())});
}

int rescue_jobs_of_dead_workers(RedisConnection& redis) {
    RedisReply workers = redis_command(redis, {"SMEMBERS", "lab:jobs:workers"});
    int rescued = 0;
    for (std::size_t i = 0; i < workers->elements; ++i) {
        std::string worker(workers->element[i]->str, workers->element[i]->len);
        rescued += static_cast<int>(integer_of(
            redis_command(redis, {"EVAL", rescue_script, "1", processing_key(worker), worker,
                                  alive_key(worker), std::to_string(job_attempts)})));
    }
    return rescued;
}

}  // namespace lab
