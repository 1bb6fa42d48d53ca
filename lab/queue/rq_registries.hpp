#pragma once
// What RQ itself says of the jobs on a Redis: whatever an app names its queues, RQ keeps the set
// of them (rq:queues), and for each queue the jobs waiting (the list rq:queue:NAME) and its
// registries of jobs started and not yet ended (rq:wip:NAME), finished (rq:finished:NAME) and
// failed (rq:failed:NAME); each RQ worker says whether it is busy (rq:worker:NAME's state). The
// lab reads them there, after a batch, so that a route that answers 202 without handing its work
// to a worker is seen not to have had it done.
#include <chrono>
#include <string>

namespace lab {

struct RqJobs {
    long waiting = 0;  // in a queue's list
    long started = 0;  // taken by a worker, not yet ended
    long finished = 0;  // in the finished registries
    long failed = 0;
    long busy_workers = 0;
    bool settled() const { return waiting == 0 && started == 0 && busy_workers == 0; }
};

// Summed over every queue, read in one step (a script: no job moves between two counts), from the
// Redis at `redis_url` (unix:///PATH or redis://IP:PORT); throws std::runtime_error if unreachable.
RqJobs rq_jobs(const std::string& redis_url);

// After a batch: waits, for at most `limit`, until no job waits or runs on two reads one after
// another (between a worker's taking a job and its saying so there is one round trip), then RQ's
// account, to subtract the one before the batch from.
RqJobs rq_jobs_settled(const std::string& redis_url, std::chrono::milliseconds limit);

// The jobs RQ finished over each batch: its settled account before the batch, subtracted from the
// settled account after it; each waits at most `limit` for the queue to settle.
struct RqBatchCount {
    std::string redis_url;
    std::chrono::milliseconds limit;
    long before = 0;
    void before_batch() { before = rq_jobs_settled(redis_url, limit).finished; }
    long finished_in_batch() const { return rq_jobs_settled(redis_url, limit).finished - before; }
};

}  // namespace lab
