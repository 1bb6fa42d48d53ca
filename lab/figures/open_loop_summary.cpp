#include "lab/figures/open_loop_summary.hpp"

#include <algorithm>

namespace lab {

OpenLoopSummary open_loop_summary(const ConfigurationResult& r) {
    OpenLoopSummary s;
    for (const auto& o : r.open_loop) {
        s.corrected.merge(o.corrected);
        s.uncorrected.merge(o.uncorrected);
        s.late += o.late_for_connection;
        s.slip_us = std::max(s.slip_us, o.harness_slip_us);
    }
    return s;
}

}  // namespace lab
