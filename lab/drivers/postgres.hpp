#pragma once
// Two ways to send PostgreSQL the same query, through libpq (Debian's libpq-dev), in the same
// steps (send, write out, read the answer) that differ only in how they wait for the socket:
//   blocking  the calling thread waits in poll(), as inside libpq's PQexec (psycopg2's way);
//   awaiting  the coroutine suspends while the loop watches the socket and serves others
//             (asyncpg's way).
// Both run the query a /db or /users/{id} request asks for, on a connection from
// lab/drivers/connection_pool.
#include <string>

#include "lab/asio.hpp"
#include "lab/drivers/db_query.hpp"

struct pg_conn;  // libpq's PGconn, kept out of the modes' headers

namespace lab {

// One open connection. Opened blocking (connecting is not the lesson; the warm-up batch pays it).
// Each connection fills its own temporary `users` table (ids 1..seeded_users, a primary key)
// for /users/{id}: a real table to look up in, which vanishes with the connection, so an existing
// server given by --database-url keeps nothing of the lab's.
class PgConnection {
public:
    explicit PgConnection(const std::string& url);  // throws std::runtime_error with libpq's reason
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;
    pg_conn* get() const { return conn_; }
    // Why there is no users table, if not.
    const std::string& users_error() const { return users_error_; }
    // After a request: a connection that broke, or that still has a query in flight (a wait that
    // failed, a request abandoned), is connected again, so the next request on it starts clean.
    void recover();

private:
    pg_conn* conn_ = nullptr;
    std::string users_error_;
};

inline constexpr long seeded_users = 1000;

// `SELECT pg_sleep(d)`, or the user's row, with PostgreSQL's clock read before and after, waiting
// on this thread.
QueryTimes ask_blocking(PgConnection& connection, const DbQuery& query);

// The same query; the coroutine suspends while PostgreSQL works, and the loop runs on.
asio::awaitable<QueryTimes> ask_awaiting(PgConnection& connection, DbQuery query);

}  // namespace lab
