#pragma once
// What comes back: the names of the ways a request can fail, every request's record (its times,
// its answer, the server's stamps), and how much of an answer the harness reads. The stamps come
// from a lab server's answers, or the lab's probe's header fields in an app's.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lab/named.hpp"

namespace lab {

enum class ErrorKind {
    none,
    connect,
    write,
    read,
    status,
    timeout,
    head_over_limit,
    body_over_limit
};
inline constexpr std::size_t error_kinds = static_cast<std::size_t>(ErrorKind::body_over_limit) + 1;
// Each kind's word in requests.csv and doctor.json (none: empty), read back by named<ErrorKind>.
template <>
struct Names<ErrorKind> {
    static constexpr std::pair<ErrorKind, std::string_view> list[] = {
        {ErrorKind::none, ""},
        {ErrorKind::connect, "connect"},
        {ErrorKind::write, "write"},
        {ErrorKind::read, "read"},
        {ErrorKind::status, "status"},
        {ErrorKind::timeout, "timeout"},
        {ErrorKind::head_over_limit, "head over limit"},
        {ErrorKind::body_over_limit, "body over limit"}};
};
static_assert(std::size(Names<ErrorKind>::list) == error_kinds);
inline std::string_view to_string(ErrorKind kind) {
    return Names<ErrorKind>::list[static_cast<std::size_t>(kind)].second;
}

// Times are microseconds since the batch began (-1: did not happen, or the server gave none).
struct RequestRecord {
    int batch = 0;
    int index = 0;  // order taken from the batch, 0-based
    int connection = 0;  // which of the C connections carried it
    int endpoint = 0;  // which target of the mix it asked for
    std::int64_t intended_us = -1;  // when the client meant to send it
    std::int64_t connect_us = -1;  // when its connection finished opening (only its first request)
    std::int64_t send_us = -1, first_byte_us = -1, end_us = -1;
    int status = 0;
    std::size_t bytes = 0;
    std::int64_t worker_pid = -1;
    std::int64_t thread_id = -1;
    std::int64_t server_start_us = -1;  // the server's own stamps, on our time axis
    std::int64_t server_end_us = -1;
    std::int64_t db_start_us = -1;  // /db: PostgreSQL's own stamps of the query, on our time axis
    std::int64_t db_end_us = -1;
    // A queued job (POST /jobs): when Redis queued it, and when a poll first found it done. Its
    // server stamps are then when a queue worker started and finished it, worker_pid that worker.
    std::int64_t job_queued_us = -1;
    std::int64_t done_us = -1;
    // A probed app's waits inside its service, as its probe counted them (lab/reference/
    // app_probe.py): for one of AnyIO's thread tokens, then for a SQLAlchemy pool's connection.
    // Durations, µs; -1: not said.
    std::int64_t token_wait_us = -1, connection_wait_us = -1;
    ErrorKind error = ErrorKind::none;

    bool ok() const { return error == ErrorKind::none; }
    std::int64_t latency_us() const { return end_us - intended_us; }  // to its answer
    // When its work was done: answered, or for a job, when its worker finished it (by the
    // queue's stamp; a poll learns of it up to poll_every later, at done_us).
    std::int64_t finished_us() const {
        if (done_us < 0) return end_us;
        return server_end_us >= 0 ? server_end_us : done_us;
    }
    std::int64_t completion_us() const { return finished_us() - intended_us; }
    bool has_server_stamps() const { return server_start_us >= 0 && server_end_us >= 0; }
    bool has_db_stamps() const { return db_start_us >= 0 && db_end_us >= 0; }
};

// The largest answer the harness reads, as hey's and wrk's parsers have one: past it the request
// fails as head_over_limit or body_over_limit (the server did answer; the lab did not read it
// all). `lab load --max-head` and `--max-body` raise them.
struct AnswerLimits {
    std::size_t head = 8 << 10;  // status line and header fields (Beast's default)
    std::size_t body = 1 << 20;
};
// As far as they may be raised: a head of 1 MiB, a body of 1 GiB (read, counted, not kept).
inline constexpr std::size_t most_answer_head = 1 << 20, most_answer_body = 1 << 30;

// Reads worker_id, thread_id, server_*_us and db_*_us from a lab JSON body (-1 if absent).
void read_server_stamps(std::string_view body, std::int64_t origin_us, RequestRecord& record);

// The same stamps as header fields, which the lab's probe adds to any app's answers whatever its
// body (lab/reference/app_probe.py): x-lab-start-us, x-lab-end-us (CLOCK_MONOTONIC µs), x-lab-pid,
// x-lab-thread, and its waits, x-lab-token-wait-us and x-lab-connection-wait-us. Collected while
// the answer is read. An answer the probe stamped is a student's app's: the probe's stamps win,
// always, and its body (the app's own words) gives none.
struct HeaderStamps {
    std::int64_t start_us = -1, end_us = -1, pid = -1, thread = -1;
    std::int64_t token_wait_us = -1, connection_wait_us = -1;
    // Keeps `value` if `name` is one of the probe's fields (any case); false if it is not.
    bool read(std::string_view name, std::string_view value);
    bool stamped() const { return start_us >= 0 || end_us >= 0 || pid >= 0 || thread >= 0; }
    // If the probe stamped the answer: its stamps into `record`, in place of what the body said.
    void apply(std::int64_t origin_us, RequestRecord& record) const;
};

}  // namespace lab
