#include "lab/server/gil.hpp"

namespace lab {

void Gil::acquire() {
    if (!enabled_) return;
    std::unique_lock lock(mutex_);
    while (held_) {
        std::uint64_t seen = handovers_;
        // Waited a whole interval and the lock has not changed hands: ask the holder to let go.
        if (!changed_.wait_for(lock, switch_interval, [&] { return !held_; }) && handovers_ == seen)
            drop_requested_ = true;
    }
    held_ = true;
    drop_requested_ = false;
    ++handovers_;
    changed_.notify_all();
}

void Gil::release() {
    if (!enabled_) return;
    {
        std::lock_guard lock(mutex_);
        held_ = false;
    }
    changed_.notify_all();
}

void Gil::check_for_drop_request() {
    if (!enabled_ || !drop_requested_) return;
    {
        std::unique_lock lock(mutex_);
        std::uint64_t mine = handovers_;
        held_ = false;
        changed_.notify_all();
        // Forced switching: wait until another thread has had the lock before asking again.
        changed_.wait(lock, [&] { return handovers_ != mine; });
    }
    acquire();
}

Gil& process_gil() {
    static Gil gil;
    return gil;
}

}  // namespace lab
