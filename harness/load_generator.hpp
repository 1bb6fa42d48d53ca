#pragma once
// The lab's load harness: C connections opened first, then M requests released together and
// kept going closed-loop (a connection sends its next request when its last one is answered),
// or, with run_for, as many as fit in that time. Every request is recorded, failed ones
// included, with the server's own stamps where given; the connections may be spread over
// several threads, each counting into its own tallies (harness/tally.hpp).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/tally.hpp"

namespace lab {

struct RequestRecord;

// Told of a batch as it goes, for a live view (lab/live/); called on any of the harness's
// threads, one call at a time, so what it does must be quick (the live hub queues and returns).
struct LoadObserver {
    virtual ~LoadObserver() = default;
    // `requests`: how many the batch sends, or 0 when it sends for a set time (run_for).
    virtual void batch_started(int batch, std::int64_t origin_us, int requests) = 0;
    // A request leaves on the connection whose local port is `port` (the server's marks name it).
    virtual void sent(int index, std::int64_t at_us, int port) = 0;
    virtual void answered(const RequestRecord& r) = 0;
    // A bystander's request (probe_target) has its answer, or failed: the lesson of a blocked
    // loop is how long it waited.
    virtual void probe_answered(const RequestRecord& /*probe*/) {}
    // The batch is over: no more sent or answered for it.
    virtual void batch_finished(int /*batch*/) {}
};

// Tells the observer, if any, that a batch is over when it goes out of scope: on every way out.
struct BatchEnd {
    LoadObserver* observer;
    int batch;
    ~BatchEnd() {
        if (observer) observer->batch_finished(batch);
    }
};

// One of several targets a load mixes (locust's weighted tasks): `weight` of every sum-of-weights
// requests go to it, interleaved. A target may ask in its own way (the doctor mixes a POST with
// its body among GETs): its method, body and header fields replace the load's.
struct WeightedTarget {
    std::string target;
    int weight = 1;
    std::string method = {};  // empty: the load's
    std::optional<std::string> body = {};  // none: the load's
    std::vector<std::string> headers = {};  // "Name: value", after the load's
};

// The largest answer the harness reads, as hey's and wrk's parsers have one: past it the request
// fails as head_over_limit or body_over_limit (the server did answer; the lab did not read it
// all). `lab load --max-head` and `--max-body` raise them.
struct AnswerLimits {
    std::size_t head = 8 << 10;  // status line and header fields (Beast's default)
    std::size_t body = 1 << 20;
};
// As far as they may be raised: a head of 1 MiB, a body of 1 GiB (read, counted, not kept).
inline constexpr std::size_t most_answer_head = 1 << 20;
inline constexpr std::size_t most_answer_body = 1 << 30;

struct LoadSpec {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string method = "GET";
    std::string target = "/delay?ms=100";
    // Several targets (each request's `endpoint` says which); empty: `target`
    std::vector<WeightedTarget> mix;
    // "Name: value", sent with every request of the load (not probes, not polls)
    std::vector<std::string> headers;
    std::string body;  // sent with every request of the load
    bool keep_alive = true;  // false: "Connection: close", a new connection per request
    AnswerLimits answer_limits;  // of the load's answers (probes and polls: the defaults)
    int requests = 10;  // M
    int concurrency = 10;  // C
    int threads = 1;  // the harness's threads; connection c runs on thread c mod threads
    std::chrono::milliseconds run_for{
        0};  // > 0: send for this long from the release, however many
             // that is; requests still unanswered then are not counted
    std::size_t keep_records = 1'000'000;  // records past this many are counted in the tallies only
    std::chrono::milliseconds timeout{30'000};  // per request
    std::chrono::milliseconds deadline{0};  // for the whole batch, from its start (0: none)
    std::chrono::microseconds stagger{0};  // first requests leave this far apart (0: together)
    std::string probe_target;  // if set, also sent on a connection of its own, every
    std::chrono::milliseconds probe_every{25};  // probe_every, while the batch's requests run
    std::chrono::milliseconds probe_after{0};  // and this long after the last answer
    // The run's key (lab/run_key.hpp), for a server the lab started: sent with the plain requests
    // (its figures, probes, polls), never with the load's, and never to a server the lab did not
    // start.
    std::string run_key;
    bool poll_jobs = false;  // each 202 names a queued job: poll GET /jobs/{id} until it is done
    std::chrono::milliseconds poll_every{50};
    std::function<void(int answered, int total)> on_answer;  // e.g. live progress; may be empty
    LoadObserver* observer = nullptr;  // a live view; may be null
};

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
std::string_view to_string(ErrorKind kind);
std::optional<ErrorKind> error_kind_named(std::string_view word);  // to_string's, read back

// Times are microseconds since the batch began (-1: did not happen, or the server gave none).
struct RequestRecord {
    int batch = 0;
    int index = 0;  // order taken from the batch, 0-based
    int connection = 0;  // which of the C connections carried it
    int endpoint = 0;  // which target of the mix it asked for
    std::int64_t intended_us = -1;  // when the client meant to send it
    std::int64_t connect_us = -1;  // when its connection finished opening (only its first request)
    std::int64_t send_us = -1;
    std::int64_t first_byte_us = -1;
    std::int64_t end_us = -1;
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

struct Batch {
    int number = 0;
    std::vector<RequestRecord> requests;
    std::vector<RequestRecord> probes;  // the probe_target requests, if any
    bool cut_off = false;  // the deadline passed: what was unanswered then is recorded as `timeout`
    std::vector<Tally> tallies;  // one per target of the mix: every request, recorded or not
    int unfinished = 0;  // run_for: requests in flight when the time was up (not counted anywhere)
    std::int64_t not_recorded = 0;  // counted in the tallies, past keep_records
    std::string connect_failure;  // why a connection could not be opened, as the system said it
                                  // ("Too many open files")
    // A WebSocket load: the first message neither a tick nor a reply, as read ('its first 80
    // Bytes'), or "a binary message of N bytes"
    std::string foreign_message;
};

// All C connections concurrently, on `threads` threads of Asio with Beast parsing the responses.
Batch run_concurrent_batch(const LoadSpec& spec, int batch_number = 0);

// The connections a load opens (no more than its requests, unless it runs for a time) and the
// threads they run on (no more than the connections, at least one).
int connections_used(int requests, int concurrency, bool timed);
int threads_used(int threads, int connections);

// One request after another: the documents' "sequential". The same harness on one connection,
// where the next request leaves only when the last one's answer has come, as code that awaits
// each call in turn sends them. N requests take at least N·d.
Batch run_sequential_batch(const LoadSpec& spec, int batch_number = 0);

// A request as bytes on the wire, serialized by Beast: what every connection sends. `as_loaded`:
// with the load's headers, body and keep-alive (else a plain keep-alive request: probes, polls).
// One target of the load's mix, asked as it asks (its method, body and fields, else the load's).
std::string request_bytes(const LoadSpec& spec, const WeightedTarget& target);
std::string request_bytes(const LoadSpec& spec, const std::string& method,
                          const std::string& target, bool as_loaded = false);

// The targets of a load with their weights: the mix, or `target` alone.
std::vector<WeightedTarget> targets_of(const LoadSpec& spec);

// Reads worker_id, thread_id, server_*_us and db_*_us from a lab JSON body; leaves them -1 if
// absent.
void read_server_stamps(std::string_view body, std::int64_t origin_us, RequestRecord& record);

// The same stamps as header fields, which the lab's probe adds to any app's answers whatever its
// body (lab/reference/app_probe.py): x-lab-start-us, x-lab-end-us (CLOCK_MONOTONIC µs), x-lab-pid,
// x-lab-thread. Collected while the answer is read. An answer the probe stamped is a student's
// app's: the probe's stamps win, always, and its body (the app's own words) gives none.
struct HeaderStamps {
    std::int64_t start_us = -1, end_us = -1, pid = -1, thread = -1;
    // Keeps `value` if `name` is one of the probe's fields (any case); false if it is not.
    bool read(std::string_view name, std::string_view value);
    bool stamped() const { return start_us >= 0 || end_us >= 0 || pid >= 0 || thread >= 0; }
    // If the probe stamped the answer: its stamps into `record`, in place of whatever the body
    // said.
    void apply(std::int64_t origin_us, RequestRecord& record) const;
};

}  // namespace lab
