// `lab worker`: a queue worker taking jobs from Redis, wherever that Redis is.
#include "lab/cli/command_support.hpp"
#include "lab/cli/commands.hpp"

#include <memory>

#include "lab/queue/worker.hpp"

namespace lab {

Action define_worker(CLI::App& app) {
    auto o = std::make_shared<WorkerOptions>();
    app.add_option("--redis-url", o->redis_url,
                   "The queue's Redis (unix:///PATH or redis://IP:PORT)")
        ->required();
    in_range(app.add_option("--concurrency", o->concurrency,
                            "Jobs this worker runs at once, K (a thread each)"),
             1, 64);
    app.footer(
        "Jobs come from POST /jobs?cpu_ms=N or ?wait_ms=N on a `lab serve --redis-url` of the same "
        "Redis; GET /jobs/{id} tells their state. A job taken by a worker that dies goes back to "
        "the queue when its lease (3 s) runs out, and is marked failed after 3 attempts. Stop "
        "with Ctrl-C: each job held is finished first.");
    return [o] {
        return said_on_failure<std::invalid_argument>("lab worker", [&] { return run_worker(*o); });
    };
}

}  // namespace lab
