#pragma once
// `lab worker`: a queue worker, the lab's RQ worker. It takes jobs from the Redis queue
// (lab/queue/job_queue.hpp), runs each (computing or waiting its ms), and stores the result. K
// threads take jobs at once (--concurrency); each computes on a core of its own, since a C++
// worker has no GIL, as each RQ worker process has a GIL of its own.
#include <string>

namespace lab {

struct WorkerOptions {
    std::string redis_url;  // unix:///PATH or redis://IP:PORT
    int concurrency = 1;  // jobs at once, K
};

// Runs until SIGINT or SIGTERM (each thread finishes the job it holds) or until Redis cannot be
// reached at start (exit 1). Prints one line once it takes jobs.
int run_worker(const WorkerOptions& options);

}  // namespace lab
