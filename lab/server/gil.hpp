#pragma once
// An emulated GIL (`lab serve --gil`): one lock per process that a thread must hold to run
// "Python code". CPU work holds it and computes; a wait (a sleep, an awaited timer) drops it.
// Like CPython's, it has a switch interval: a thread that has waited 5 ms for the lock asks the
// holder to drop it, the holder does so at its next check, and does not take it back before
// someone else has had it. Without --gil, C++ threads compute in parallel, as free-threaded
// Python 3.13+ does.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <atomic>
#include <mutex>

namespace lab {

class Gil {
public:
    static constexpr auto switch_interval = std::chrono::milliseconds(5);  // sys.getswitchinterval()

    void enable() { enabled_ = true; }
    bool enabled() const { return enabled_; }

    void acquire();
    void release();
    // The holder's check between chunks of work: if a waiter has asked, hand the lock over.
    void check_for_drop_request();

    // Holds the lock for a scope (and does nothing when the GIL is off).
    struct Hold {
        explicit Hold(Gil& gil) : gil_(gil) { gil_.acquire(); }
        ~Hold() { gil_.release(); }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        Gil& gil_;
    };

private:
    bool enabled_ = false;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool held_ = false;
    std::atomic<bool> drop_requested_ = false;  // read without the mutex at every check
    std::uint64_t handovers_ = 0;  // how many times the lock changed hands
};

Gil& process_gil();  // the one lock of this process

}  // namespace lab
