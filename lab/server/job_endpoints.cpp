#include "lab/server/job_endpoints.hpp"

#include <optional>

#include <unistd.h>

#include "lab/queue/job_queue.hpp"
#include "lab/compute/gil.hpp"

namespace lab {
namespace {

// One connection per serving thread, kept: clients poll GET /jobs/{id} several times a second,
// and each poll should take as little as it can of the CPU the workers compute on. (A process
// uses one Redis, --redis-url.) After an error it is dropped, and the next request reconnects.
thread_local std::optional<RedisConnection> kept;

}  // namespace

Response answer_job(const Request& req, const Route& r, const RedisAddress& redis) {
    Gil::Hold hold(process_gil());  // the route's own code, under the GIL when it is on
    try {
        if (!kept) kept.emplace(redis);
        RedisConnection& connection = *kept;
        if (r.kind == Route::Kind::job_submit) {
            long id =
                enqueue_job(connection, r.computes ? JobKind::compute : JobKind::wait, r.amount);
            nlohmann::json body{{"job", id},
                                {"state", "queued"},
                                {"poll", "/jobs/" + std::to_string(id)},
                                {"work", r.computes ? "cpu" : "wait"},
                                {"ms", r.amount.count() / 1000},
                                {"worker_id", getpid()}};  // the web server's pid: it only enqueued
            return json_response(req.version(), http::status::accepted, body.dump());
        }
        if (auto job = job_status(connection, r.job_id))
            return json_response(
                req.version(), http::status::ok,
                job->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return json_response(req.version(), http::status::not_found,
                             error_body(404, "no job " + std::to_string(r.job_id)));
    } catch (const std::exception& e) {
        kept.reset();
        return json_response(req.version(), http::status::service_unavailable,
                             error_body(503, e.what()));
    }
}

}  // namespace lab
