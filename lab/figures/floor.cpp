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

bool document_below_floor(const Configuration& c, const Load& load, int cores) {
    return c.document_s && *c.document_s < physical_floor_s(load, cores) * 0.999;
}

}  // namespace lab
