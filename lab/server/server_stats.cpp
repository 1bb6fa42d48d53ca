// Where a server process's counts live: its own, and the loop figures its workers share (mapped
// shared before multi-process forks them). No Asio here: the fuzz target links this file too.
#include "lab/server/server_stats.hpp"

#include <new>

#include <sys/mman.h>

namespace lab {

ServerStats& server_stats() {
    static ServerStats stats;
    return stats;
}

LoopFigures& loop_figures() {
    static LoopFigures* figures = [] {
        void* memory = mmap(nullptr, sizeof(LoopFigures), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) return new LoopFigures;  // unshared: still right within one process
        return new (memory) LoopFigures;
    }();
    return *figures;
}

}  // namespace lab
