#pragma once
// round-robin balancing, the supervisor's side: one thread accepts every connection and deals
// it to the next worker in turn, over that worker's handoff channel (lab/server/handoff.hpp).
// A burst of N connections then spreads ceil(N/W) per worker, whatever each worker is doing,
// which neither a shared socket (the idle workers race) nor SO_REUSEPORT (a hash) promises.
#include <mutex>
#include <vector>

#include <sys/types.h>

namespace lab {

class Dealer {
public:
    // A worker to deal to: the supervisor's end of its channel, owned by the dealer from now on.
    void add(pid_t worker, int channel);

    // Deals connections accepted on `listening` on a thread of its own, until the process ends.
    // The thread makes system calls only and allocates nothing, so the supervisor can still fork
    // workers safely (a fork copies only the forking thread, and any lock another thread held).
    void start(int listening);

private:
    void deal(int connection);

    struct Worker {
        pid_t pid;
        int channel;
    };
    std::mutex mutex_;
    std::vector<Worker> workers_;  // grown by add() on the forking thread, never by the dealer's
    std::size_t next_ = 0;
};

}  // namespace lab
