#pragma once
// A load as the harness is asked to send it: where, what (one target or a weighted mix), how
// many at once, for how long, and who is told as it goes; and its requests as bytes on the wire.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/answers.hpp"

namespace lab {

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

struct LoadSpec {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string method = "GET", target = "/delay?ms=100";
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
    // The run's key (lab/run_key.hpp), for a server the lab started: sent with its plain requests
    // (figures, probes, polls), never with the load's, nor to a server the lab did not start.
    std::string run_key;
    bool poll_jobs = false;  // each 202 names a queued job: poll GET /jobs/{id} until it is done
    std::chrono::milliseconds poll_every{50};
    std::function<void(int answered, int total)> on_answer;  // e.g. live progress; may be empty
    LoadObserver* observer = nullptr;  // a live view; may be null
};

// A request as bytes on the wire, serialized by Beast: what every connection sends. `as_loaded`:
// with the load's headers, body and keep-alive (else a plain keep-alive request: probes, polls).
// One target of the load's mix, asked as it asks (its method, body and fields, else the load's).
std::string request_bytes(const LoadSpec& spec, const WeightedTarget& target);
std::string request_bytes(const LoadSpec& spec, const std::string& method,
                          const std::string& target, bool as_loaded = false);

// The targets of a load with their weights: the mix, or `target` alone.
std::vector<WeightedTarget> targets_of(const LoadSpec& spec);

}  // namespace lab
