// Where a server process's counts live: its own, and the loop figures its workers share (mapped
// shared before multi-process forks them). No Asio here: the fuzz target links this file too.
#include "lab/server/server_stats.hpp"

#include "lab/shared_across_fork.hpp"

namespace lab {

ServerStats& server_stats() {
    static ServerStats stats;
    return stats;
}

LoopFigures& loop_figures() {
    static LoopFigures* figures = new_shared_across_fork<LoopFigures>();
    return *figures;
}

}  // namespace lab
