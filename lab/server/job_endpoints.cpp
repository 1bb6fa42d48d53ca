#include "lab/server/job_endpoints.hpp"

#include <unistd.h>

#include "lab/queue/job_queue.hpp"
#include "lab/server/gil.hpp"

namespace lab {

Response answer_job(const Request& req, const Route& r, const RedisAddress& redis) {
    Gil::Hold hold(process_gil());  // the route's own code, under the GIL when it is on
    try {
        RedisConnection connection(redis);  // a connection per request: Redis accepts one in microseconds
        if (r.kind == Route::Kind::job_submit) {
            long id = enqueue_job(connection, r.computes ? JobKind::compute : JobKind::wait, r.amount);
            nlohmann::json body{{"job", id}, {"state", "queued"}, {"poll", "/jobs/" + std::to_string(id)},
                                {"work", r.computes ? "cpu" : "wait"}, {"ms", r.amount.count() / 1000},
                                {"worker_id", getpid()}};  // the web server's pid: it only enqueued
            return json_response(req.version(), http::status::accepted, body.dump());
        }
        if (auto job = job_status(connection, r.job_id))
            return json_response(req.version(), http::status::ok, job->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return json_response(req.version(), http::status::not_found, error_body(404, "no job " + std::to_string(r.job_id)));
    } catch (const std::exception& e) {
        return json_response(req.version(), http::status::service_unavailable, error_body(503, e.what()));
    }
}

}  // namespace lab
