#pragma once
// POST /jobs and GET /jobs/{id}: the web server's side of the job queue (lab/queue/). Each is one
// short Redis round trip, made the blocking way on the thread that serves the request, as RQ's
// enqueue and fetch_job are (they use redis-py) even in an `async def` route: the work itself
// is done elsewhere, by `lab worker`.
#include "lab/drivers/redis.hpp"
#include "lab/server/answer.hpp"
#include "lab/server/routes.hpp"

namespace lab {

// 202 with the new job's id; 200 with a job's state (404 if there is none); 503 if Redis fails.
Response answer_job(const Request& req, const Route& route, const RedisAddress& redis);

}  // namespace lab
