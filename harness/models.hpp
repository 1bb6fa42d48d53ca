#pragma once
// The simple models that explain the measurements: a server that can serve K requests at once
// answers N concurrent requests of d each in ceil(N/K) waves, so in ceil(N/K)·d.
#include <string>

namespace lab {

struct ServerShape {
    std::string mode;                // blocking-in-loop | async-sleep | thread-pool | multi-process
    int threads = 40;
    int workers = 4;
    std::string worker_mode = "blocking-in-loop";
    bool sequential_client = false;  // the client itself sends one request at a time
};

struct Model {
    int at_once = 0;      // requests served at once; 0 means no limit but the client's
    std::string formula;  // "N·d", "d", "ceil(N/T)·d", ...
};

Model model_of(const ServerShape& shape);

// Predicted makespan of `requests` requests over `concurrency` connections, each waiting `d_s`.
double predicted_makespan_s(const Model& model, int requests, int concurrency, double d_s);

// When the i-th request served (0-based) finishes, in the same model: the staircase.
double predicted_finish_s(const Model& model, int i, int concurrency, double d_s);

}  // namespace lab
