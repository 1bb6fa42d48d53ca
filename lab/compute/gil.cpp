#include "lab/compute/gil.hpp"

#include <algorithm>
#include <utility>

namespace lab {

bool Gil::held_by_me() const {
    if (!enabled_) return false;
    std::lock_guard lock(mutex_);
    return held_ && holder_ == std::this_thread::get_id();
}

void Gil::acquire() {
    if (!enabled_) return;
    std::unique_lock lock(mutex_);
    if (held_ && holder_ == std::this_thread::get_id()) {
        ++depth_;
        return;
    }
    if (held_ || granted_ != 0) {
        const std::uint64_t me = next_ticket_++;
        waiting_.push_back(me);
        auto my_turn = [&] {
            return !held_ && (granted_ == me || (granted_ == 0 && waiting_.front() == me));
        };
        for (;;) {
            const std::uint64_t seen = handovers_;
            if (changed_.wait_for(lock, switch_interval, my_turn)) break;
            // A whole interval, and the lock has not changed hands: ask the holder to let go.
            if (held_ && handovers_ == seen && asker_ == 0) {
                asker_ = me;
                drop_requested_ = true;
            }
            // Then wait again, and a new wait queues behind every other waiter.
            waiting_.erase(std::find(waiting_.begin(), waiting_.end(), me));
            waiting_.push_back(me);
            if (my_turn()) break;
        }
        waiting_.erase(std::find(waiting_.begin(), waiting_.end(), me));
    }
    held_ = true;
    holder_ = std::this_thread::get_id();
    depth_ = 1;
    granted_ = asker_ = 0;
    drop_requested_ = false;
    ++handovers_;
    changed_.notify_all();
}

void Gil::release() {
    if (!enabled_) return;
    {
        std::lock_guard lock(mutex_);
        if (depth_ > 1) {
            --depth_;
            return;
        }
        drop_for(asker_);  // someone asked meanwhile: it is theirs
    }
    changed_.notify_all();
}

int Gil::drop_for(std::uint64_t next) {
    held_ = false;
    granted_ = next;
    return std::exchange(depth_, 0);
}

void Gil::check_for_drop_request() {
    if (!enabled_ || !drop_requested_) return;
    int depth;
    {
        std::unique_lock lock(mutex_);
        std::uint64_t mine = handovers_;
        depth = drop_for(++forced_drops_ % any_waiter_every == 0 ? any_waiter() : asker_);
        changed_.notify_all();
        // Forced switching: wait until another thread has had the lock before asking again.
        changed_.wait(lock, [&] { return handovers_ != mine; });
    }
    take_back(depth);
}

std::uint64_t Gil::any_waiter() {
    if (waiting_.empty()) return asker_;
    return waiting_[std::uniform_int_distribution<std::size_t>(0, waiting_.size() - 1)(picks_)];
}

int Gil::let_go() {
    if (!held_by_me()) return 0;
    int depth;
    {
        std::lock_guard lock(mutex_);
        depth = drop_for(asker_);  // someone asked meanwhile: it is theirs
    }
    changed_.notify_all();
    return depth;
}

void Gil::take_back(int depth) {
    if (depth == 0) return;
    acquire();
    std::lock_guard lock(mutex_);
    depth_ = depth;  // the holds it had, nested as before
}

Gil& process_gil() {
    static Gil gil;
    return gil;
}

}  // namespace lab
