#include "harness/job_poll.hpp"

#include <nlohmann/json.hpp>

#include "harness/exchange.hpp"
#include "harness/sleep_until.hpp"
#include "lab/clock.hpp"

namespace lab {
namespace {

std::int64_t number_or(const nlohmann::json& j, const char* key, std::int64_t otherwise) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : otherwise;
}

}  // namespace

asio::awaitable<bool> await_job(TimedSocket& stream, beast::flat_buffer& buffer,
                                const tcp::endpoint& server, const LoadSpec& spec,
                                std::int64_t origin_us, const std::string& answer_body,
                                RequestRecord& r) {
    auto submitted = nlohmann::json::parse(answer_body, nullptr, false);
    std::int64_t id = submitted.is_object() ? number_or(submitted, "job", -1) : -1;
    if (id < 0) {  // a 202 that names no job: nothing to wait for, and the server broke its promise
        r.error = ErrorKind::status;
        co_return true;
    }
    // The queue stamps its jobs by Redis's clock (Unix time); this lines them up with ours.
    const std::int64_t origin_unix_us = origin_us + unix_minus_monotonic_us();
    const std::string poll_bytes = request_bytes(spec, "GET", "/jobs/" + std::to_string(id));
    bool is_open = true;
    for (;;) {
        co_await sleep_until(monotonic_us() +
                             std::chrono::duration_cast<Micros>(spec.poll_every).count());
        if (!is_open) {
            stream.close();
            buffer.clear();
            if (!(is_open = co_await open_connection(stream, server, spec.timeout))) {
                r.error = ErrorKind::connect;
                r.done_us = monotonic_us() - origin_us;
                co_return false;
            }
        }
        RequestRecord poll;
        std::string body;
        is_open =
            co_await exchange(stream, buffer, poll_bytes, spec.timeout, origin_us, poll, &body);
        if (!poll.ok()) {
            r.error = poll.error;
            r.done_us = poll.end_us;
            co_return is_open;
        }
        auto job = nlohmann::json::parse(body, nullptr, false);
        std::string state = job.is_object() ? job.value("state", "") : "";
        if (state != "finished" && state != "failed") continue;  // queued or started: ask again
        r.done_us = poll.end_us;
        auto on_our_axis = [&](const char* key) {
            std::int64_t at = number_or(job, key, -1);
            return at < 0 ? -1 : at - origin_unix_us;
        };
        r.job_queued_us = on_our_axis("queued_at_us");
        r.server_start_us = on_our_axis("started_at_us");
        r.server_end_us = on_our_axis("finished_at_us");
        r.worker_pid = number_or(job, "worker_pid", -1);
        r.thread_id = -1;
        if (state == "failed") r.error = ErrorKind::status;
        co_return is_open;
    }
}

}  // namespace lab
