#include "lab/figures/floor.hpp"

#include <algorithm>

namespace lab {

double physical_floor_s(const Load& load, int cores) {
    int rounds = (load.requests + load.concurrency - 1) / load.concurrency;
    if (load.background()) return 0;  // the answer waits for nothing: its task runs after it
    double each_s = load.delay_ms / 1000.0;
    double floor_s = rounds * each_s;
    if (load.path == "/cpu") floor_s = std::max(floor_s, load.requests * each_s / cores);  // all cores busy
    return floor_s;
}

std::string physical_floor_reason(const Load& load, int cores) {
    const int rounds = (load.requests + load.concurrency - 1) / load.concurrency;
    const double each_s = load.delay_ms / 1000.0;
    if (load.path == "/cpu" && load.requests * each_s / cores > rounds * each_s)
        return "N requests of c of CPU each cannot be computed sooner on all " + std::to_string(cores) + " cores";
    if (rounds > 1)
        return "the client sends C = " + std::to_string(load.concurrency) + " at a time, so its N = " + std::to_string(load.requests) +
               " requests take " + std::to_string(rounds) + " rounds of d, whatever the server";
    return "every request waits d itself, so no server can answer them all sooner";
}

bool document_below_floor(const Configuration& c, const Load& load, int cores) {
    return c.document_s && *c.document_s < physical_floor_s(load, cores) * 0.999;
}

}  // namespace lab
