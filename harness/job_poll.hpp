#pragma once
// "Submit, then poll until done": how a client uses a job queue. The answer to POST /jobs (a 202
// with the job's id) comes at once; the client then asks GET /jobs/{id} every poll_every until
// the job is finished (or failed), and records both moments, with the queue's own stamps.
#include <cstdint>
#include <string>

#include "harness/load_spec.hpp"
#include "lab/asio.hpp"
#include "lab/timed_socket.hpp"

namespace lab {

// Polls on `stream` (reopening it if the server closes it) until the job that `answer_body`
// names is done; fills r.done_us, r.job_queued_us, the server stamps (the queue worker's start
// and finish, on the batch's time axis) and r.worker_pid (the queue worker's). A failed job, or
// a poll that fails, is recorded as the request's error. Returns whether `stream` is still open.
asio::awaitable<bool> await_job(TimedSocket& stream, beast::flat_buffer& buffer,
                                const tcp::endpoint& server, const LoadSpec& spec,
                                std::int64_t origin_us, const std::string& answer_body,
                                RequestRecord& r);

}  // namespace lab
