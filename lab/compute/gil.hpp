#pragma once
// An emulated GIL (`lab serve --gil`): one lock per process that a thread must hold to run
// "Python code". CPU work holds it and computes; a wait (a sleep, an awaited timer) drops it.
// It is as harsh as CPython's (Python/ceval_gil.c), rule for rule:
// - The switch interval: a thread that has waited 5 ms without the lock changing hands asks the
//   holder to drop it; the holder does so at its next check and does not take it back before
//   someone else has had it. A waiter starts its 5 ms over after every wait, and after every
//   change of hands.
// - Who gets a dropped lock: CPython signals one waiter and the OS picks which; mostly it is the
//   thread that asked. The thread just made to drop starts waiting at once, so it is the first
//   whose 5 ms run out, and it asks next: two computing threads hand the lock to each other, and
//   everyone else, the event loop too, waits. Under 4 computing `def` routes uvicorn's loop
//   waits hundreds of ms at a time (lab run gil-convoy --with-fastapi). Here the asker gets it,
//   except that every fourth forced drop goes to a waiter picked at random, as the OS would: the
//   share that makes the C++ row's worst waits match uvicorn's (bench/gil_calibration.sh).
// - A lock let go without being asked (a thread done, or going to wait) goes to the longest
//   waiter, or to whoever comes first: a free lock is taken at once.
// - The event loop runs Python code from the first callback after it wakes in the kernel until it
//   waits there again (asyncio's _run_once), and takes the lock for that whole turn: a burst of
//   ready callbacks runs under one hold. Each time it comes back from the kernel it queues for the
//   lock again: the convoy effect (lab/compute/python_turns.hpp). A request takes
//   asyncio's turns: the read (data_received), the task's first step, one more after each
//   awaited wait, and the task's done callback.
// The lock is re-entrant for its holder: a route's own hold inside the loop's turn nests.
// Without --gil, C++ threads compute in parallel, as free-threaded Python 3.13+ does.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

namespace lab {

class Gil {
public:
    // Sys.getswitchinterval()
    static constexpr auto switch_interval = std::chrono::milliseconds(5);
    // Of the forced drops (calibrated); the others go to the asker
    static constexpr int any_waiter_every = 4;

    void enable() { enabled_ = true; }
    bool enabled() const { return enabled_; }

    void acquire();
    void release();
    // The holder's check between chunks of work: if a waiter has asked, hand the lock over.
    void check_for_drop_request();
    bool held_by_me() const;  // whether this thread holds it (false when the GIL is off)

    // Holds the lock for a scope (and does nothing when the GIL is off).
    struct Hold {
        explicit Hold(Gil& gil) : gil_(gil) { gil_.acquire(); }
        ~Hold() { gil_.release(); }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        Gil& gil_;
    };

    // Lets go for a scope, as CPython does around a blocking call (Py_BEGIN_ALLOW_THREADS:
    // time.sleep, a socket read, libpq's wait), and takes the lock back after it, queueing behind
    // whoever holds it then. Does nothing for a thread that does not hold it.
    struct Released {
        explicit Released(Gil& gil) : gil_(gil), depth_(gil.let_go()) {}
        ~Released() { gil_.take_back(depth_); }
        Released(const Released&) = delete;
        Released& operator=(const Released&) = delete;
        Gil& gil_;
        int depth_;
    };

    // A blocking call made from Python code (time.sleep, psycopg2, requests, redis-py): the code
    // around it runs under the lock, the call itself without it.
    struct BlockingCall {
        explicit BlockingCall(Gil& gil) : code_(gil), call_(gil) {}
        Hold code_;
        Released call_;
    };

private:
    // (mutex held) Lets go, for `next` (0: the longest waiter); returns the holds it had.
    int drop_for(std::uint64_t next);
    std::uint64_t any_waiter();  // (mutex held) a waiter picked at random (the asker if none waits)
    int let_go();  // drops every hold of this thread; how many it had (0: none)
    void take_back(int depth);  // takes the lock again and restores those holds

    bool enabled_ = false;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool held_ = false;
    std::thread::id holder_;
    int depth_ = 0;  // the holder's nested holds
    std::deque<std::uint64_t> waiting_;  // the waiters' tickets, longest in its current wait first
    std::uint64_t next_ticket_ = 1;
    std::uint64_t asker_ = 0;  // the waiter that asked the holder to drop (0: none)
    std::uint64_t granted_ = 0;  // the waiter a dropped lock is handed to (0: anyone)
    std::atomic<bool> drop_requested_ = false;  // read without the mutex at every check
    std::uint64_t handovers_ = 0;  // how many times the lock changed hands
    std::uint64_t forced_drops_ = 0;  // how many times a holder was made to let go
    std::minstd_rand picks_;  // which waiter, when a forced drop goes to any of them
};

Gil& process_gil();  // the one lock of this process

}  // namespace lab
