#pragma once
// The model, in one place: where "1.000 s" comes from. A server that can work on K requests at
// once answers N requests of d each, sent together, in ceil(N/K) waves: ceil(N/K)·d. Each mode
// has its K (a blocked loop 1, a pool T, W workers, an awaiting loop no limit); for CPU
// work K is also capped by the cores (and by 1 under a GIL); a queue's W workers, H hosts behind
// nginx, a client that sends one at a time, requests sent apart and background tasks change it as
// model_around says. Played out request by request, the same model says when each request finishes
// (the staircase). Beside it: an open loop's p99, and the physical floor no server can beat.
#include <optional>
#include <string>
#include <vector>

namespace lab {

struct ServerShape {
    std::string mode;  // a lab mode (lab/modes/modes.hpp); anything else has no model
    int threads = 40, workers = 4;
    std::string worker_mode = "blocking-in-loop";
    bool sequential_client = false;  // the client itself sends one request at a time
    bool cpu_work = false;  // requests compute (/cpu) rather than wait (/delay)
    bool gil = false;  // the server emulates Python's GIL
    int cores = 1;  // CPU work can only run this many at once
    int db_pool = 0;  // >0: requests query PostgreSQL through this many connections per process
    int queue_workers = 0;  // >0: the requests are jobs these workers take in turn (RQ's shape)
    int hosts = 0;  // >0: this many hosts behind nginx, each of the mode's shape
    bool background = false;  // each request is answered 202 and its task runs after
    int stagger_ms = 0;  // connection c sends its first request at c·stagger
};

struct Model {
    int at_once = 0;  // requests the server works on at once; 0: no limit
    int client_at_once = 0;  // requests the client has out at once; 0: its connection count
    int shared_cores = 0;  // >0: the at_once requests share this many cores (threads, preempted)
    std::string formula;  // "N·d", "d", "ceil(N/T)·d", ...
};

// Each mode's own (the registry, lab/modes/registry.cpp, points each mode at its line here; a
// multi-process server's, at its workers' `each`).
Model blocking_in_loop_model(const ServerShape& shape);
Model async_sleep_model(const ServerShape& shape);
Model thread_pool_model(const ServerShape& shape);
Model multi_process_model(const ServerShape& shape, const Model& each);
// What a server of this shape predicts around its mode's `own` model (none: a server the lab did
// not start); model_of (lab/modes/modes.hpp) looks its mode's up.
Model model_around(const ServerShape& shape, const std::optional<Model>& own);

struct Workload {
    int requests = 10, concurrency = 10;
    double d_s = 0.1;
    double stagger_s = 0;  // connection c sends its first request at c·stagger
    bool computes = false;  // each request computes c = d_s of CPU (/cpu) rather than waits
};

// When each request finishes, in order, by playing the model out: each connection sends its next
// request when its last is answered; the server starts them first come, first served on K slots.
std::vector<double> predicted_finishes_s(const Model& model, const Workload& load);

// From the first send to the last answer, as the harness measures makespan.
double predicted_makespan_s(const Model& model, const Workload& load);

// An open loop's p99 from the due time, with its formula: "990 ms  S·(1 − 0.01·D/S)".
std::string open_loop_p99_model(const Model& model, int delay_ms, int stall_ms, int duration_ms);

// The physical floor: the fastest any server could answer the load. Every request waits d, and
// a client holding C connections needs ceil(N/C) rounds; CPU work also cannot beat N·c spread
// over every core. A document's figure below it cannot have been measured as described.
double physical_floor_s(const Workload& load, int cores);
// Which of those sets the floor, in words: the client's rounds, the wait itself, or the cores.
std::string physical_floor_reason(const Workload& load, int cores);

}  // namespace lab
