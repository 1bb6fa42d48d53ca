#include "lab/queue/rq_registries.hpp"

#include <thread>

#include <hiredis/hiredis.h>

#include "lab/queue/job_queue.hpp"

namespace lab {
namespace {

// RQ 1.x's keys: each queue's key in rq:queues is rq:queue:NAME, its registries rq:wip:NAME, ...
const std::string count_script = R"(
local n = {0, 0, 0, 0, 0}
for _, queue in ipairs(redis.call('SMEMBERS', 'rq:queues')) do
  local name = string.sub(queue, string.len('rq:queue:') + 1)
  n[1] = n[1] + redis.call('LLEN', queue)
  n[2] = n[2] + redis.call('ZCARD', 'rq:wip:' .. name)
  n[3] = n[3] + redis.call('ZCARD', 'rq:finished:' .. name)
  n[4] = n[4] + redis.call('ZCARD', 'rq:failed:' .. name)
end
for _, worker in ipairs(redis.call('SMEMBERS', 'rq:workers')) do
  if redis.call('HGET', worker, 'state') == 'busy' then n[5] = n[5] + 1 end
end
return n)";

constexpr std::chrono::milliseconds read_again{20};

}  // namespace

RqJobs rq_jobs(const std::string& redis_url) {
    RedisConnection connection(redis_address(redis_url));
    RedisReply n = redis_command(connection, {"EVAL", count_script, "0"});
    if (n->type != REDIS_REPLY_ARRAY || n->elements != 5)
        throw std::runtime_error("Redis: RQ's counts came back in an unknown shape");
    auto at = [&](std::size_t i) { return static_cast<long>(n->element[i]->integer); };
    return {at(0), at(1), at(2), at(3), at(4)};
}

RqJobs rq_jobs_settled(const std::string& redis_url, std::chrono::milliseconds limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    RqJobs now = rq_jobs(redis_url);
    bool was_settled = false;
    while (!(was_settled && now.settled()) && std::chrono::steady_clock::now() < give_up) {
        was_settled = now.settled();
        std::this_thread::sleep_for(read_again);
        now = rq_jobs(redis_url);
    }
    return now;
}

}  // namespace lab
