// lab::server_stats() for the fuzz target: the real definition lives in
// lab/server/loop_monitor.cpp beside the loop's lag probe, which needs Asio and a running loop.
#include "lab/server/server_stats.hpp"

namespace lab {

ServerStats& server_stats() {
    static ServerStats stats;
    return stats;
}

}  // namespace lab
