#pragma once
// The simple models that explain the measurements. A server that can work on K requests at once
// answers N requests of d each, sent together, in ceil(N/K) waves: ceil(N/K)·d. For CPU work
// K is also capped by the cores (and by 1 under a GIL). The same model,
// played out request by request, also says when each one finishes (the staircase), and copes
// with requests that leave apart (stagger) or with a client that holds fewer connections.
#include <string>
#include <vector>

namespace lab {

struct ServerShape {
    std::string mode;                // a lab mode (lab/modes/modes.hpp); anything else has no model
    int threads = 40;
    int workers = 4;
    std::string worker_mode = "blocking-in-loop";
    bool sequential_client = false;  // the client itself sends one request at a time
    bool cpu_work = false;           // requests compute (/cpu) rather than wait (/delay)
    bool gil = false;                // the server emulates Python's GIL
    int cores = 1;                   // CPU work can only run this many at once
    int db_pool = 0;                 // >0: requests query PostgreSQL through this many connections per process
};

struct Model {
    int at_once = 0;      // requests the server works on at once; 0: no limit
    int client_at_once = 0;  // requests the client has out at once; 0: its connection count
    int shared_cores = 0;    // >0: the at_once requests share this many cores (threads, preempted)
    std::string formula;  // "N·d", "d", "ceil(N/T)·d", ...
};

// What a shape predicts is its mode's own: model_of(ServerShape), lab/modes/modes.hpp.

struct Workload {
    int requests = 10;
    int concurrency = 10;
    double d_s = 0.1;
    double stagger_s = 0;  // connection c sends its first request at c·stagger
};

// When each request finishes, in order, by playing the model out: each connection sends its
// next request when its last is answered, and the server starts requests first come, first
// served on its K slots.
std::vector<double> predicted_finishes_s(const Model& model, const Workload& load);

// From the first send to the last answer, as the harness measures makespan.
double predicted_makespan_s(const Model& model, const Workload& load);

}  // namespace lab
