#include "lab/drivers/connection_pool.hpp"

namespace lab {

// A coroutine waiting for a connection: it sleeps on a timer that never fires by itself; whoever
// gives a connection back hands it over and sets the timer off on the waiter's own loop.
struct ConnectionPool::Waiter {
    asio::steady_timer wake;
    PgConnection* handed = nullptr;
};

PgConnection* ConnectionPool::open_or_null() {
    if (static_cast<int>(open_.size()) >= size_) return nullptr;
    open_.push_back(std::make_unique<PgConnection>(url_));  // blocking, once per connection
    return open_.back().get();
}

std::string ConnectionPool::open_all() {
    std::unique_lock lock(mutex_);
    try {
        while (PgConnection* fresh = open_or_null()) idle_.push_back(fresh);
    } catch (const std::exception& e) { return e.what(); }
    return "";
}

ConnectionPool::Lease ConnectionPool::take() {
    std::unique_lock lock(mutex_);
    if (idle_.empty())
        if (PgConnection* fresh = open_or_null()) return Lease{fresh, {this}};
    if (idle_.empty()) ++waits_;
    returned_.wait(lock, [this] { return !idle_.empty(); });  // this thread waits: all P in use
    PgConnection* connection = idle_.back();
    idle_.pop_back();
    return Lease{connection, {this}};
}

asio::awaitable<ConnectionPool::Lease> ConnectionPool::take_async() {
    auto waiter = std::make_shared<Waiter>(
        Waiter{asio::steady_timer{co_await asio::this_coro::executor}, nullptr});
    {
        std::unique_lock lock(mutex_);
        if (!idle_.empty()) {
            PgConnection* connection = idle_.back();
            idle_.pop_back();
            co_return Lease{connection, {this}};
        }
        if (PgConnection* fresh = open_or_null()) co_return Lease{fresh, {this}};
        waiter->wake.expires_at(asio::steady_timer::time_point::max());
        waiting_.push_back(waiter);
        ++waits_;
    }
    // This request waits for a connection; the loop serves the others meanwhile.
    boost::system::error_code woken;
    co_await waiter->wake.async_wait(asio::redirect_error(asio::use_awaitable, woken));
    co_return Lease{waiter->handed, {this}};
}

void ConnectionPool::give_back(PgConnection* connection) {
    connection->recover();  // never lend out a connection with someone else's query in flight
    std::unique_lock lock(mutex_);
    if (!waiting_.empty()) {
        std::shared_ptr<Waiter> next = std::move(waiting_.front());
        waiting_.pop_front();
        next->handed = connection;
        // On the waiter's loop: an expiry in the past wakes a wait that has begun (it is cancelled)
        // and one that has not yet (it completes at once).
        asio::post(next->wake.get_executor(),
                   [next] { next->wake.expires_at(asio::steady_timer::time_point::min()); });
        return;
    }
    idle_.push_back(connection);
    lock.unlock();
    returned_.notify_one();
}

namespace {
std::unique_ptr<ConnectionPool> process_pool;
}

ConnectionPool* database() { return process_pool.get(); }

void use_database(const std::string& url, int pool_size, std::atomic<std::int64_t>& waits) {
    process_pool = std::make_unique<ConnectionPool>(url, pool_size, waits);
}

}  // namespace lab
