#pragma once
// A pool of P connections to PostgreSQL, the documents' "use connection pooling for databases"
// (004). A request that finds all P in use waits for one to come back, so with N requests the
// pool, not the server, sets the pace: ceil(N/P) waves of d.
// Two ways to wait for a connection, one per driver:
//   take()        blocks the calling thread (a pool thread, or the loop itself in
//   blocking-in-loop); take_async()  suspends the request's coroutine, and the loop serves others
//   meanwhile.
// The server opens all P when it starts (open_all), in the process that uses them (a worker
// after fork()), as asyncpg's create_pool and psycopg2's pools open theirs when they are made.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lab/drivers/postgres.hpp"

namespace lab {

class ConnectionPool {
public:
    // `waits` counts the takes that found all P in use and waited (the server's GET /stats)
    ConnectionPool(std::string url, int size, std::atomic<std::int64_t>& waits)
        : url_(std::move(url)), size_(size), waits_(waits) {}

    // A connection on loan; it goes back to the pool when the lease ends.
    struct GiveBack {
        ConnectionPool* pool;
        void operator()(PgConnection* connection) const { pool->give_back(connection); }
    };
    using Lease = std::unique_ptr<PgConnection, GiveBack>;

    // Opens every connection not yet open, so that no request pays for connecting. Returns why
    // not, if PostgreSQL cannot be reached: then each request tries again, and answers 500 with
    // the reason if it fails too.
    std::string open_all();

    Lease take();
    asio::awaitable<Lease> take_async();

private:
    struct Waiter;  // a suspended take_async()
    PgConnection* open_or_null();  // a new connection if fewer than P are open (lock held)
    void give_back(PgConnection* connection);

    std::string url_;
    int size_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<PgConnection>> open_;
    std::vector<PgConnection*> idle_;
    std::deque<std::shared_ptr<Waiter>> waiting_;  // coroutines, first come first served
    std::atomic<std::int64_t>& waits_;
};

// The process's pool, if `lab serve` was given a database (--database-url); nullptr otherwise.
ConnectionPool* database();
void use_database(const std::string& url, int pool_size, std::atomic<std::int64_t>& waits);

}  // namespace lab
