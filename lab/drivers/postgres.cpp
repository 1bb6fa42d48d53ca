#include "lab/drivers/postgres.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include <libpq-fe.h>

namespace lab {
namespace {

// PostgreSQL reads its own clock before and after the work: the database is the independent
// witness of how many queries it really ran at once. (A SELECT evaluates its list left to right.)
// Both queries answer the same four columns: start, what was asked, end, backend.
#define LAB_PG_NOW "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
constexpr const char* sleep_sql =
    "SELECT " LAB_PG_NOW ", pg_sleep($1::float8 / 1000000)::text, " LAB_PG_NOW ", pg_backend_pid()";
constexpr const char* user_sql =
    "SELECT " LAB_PG_NOW ", (SELECT name FROM users WHERE id = $1::bigint), " LAB_PG_NOW ", pg_backend_pid()";
#undef LAB_PG_NOW

const std::string create_users_sql =
    "CREATE TEMPORARY TABLE users (id bigint PRIMARY KEY, name text NOT NULL); "
    "INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, " + std::to_string(seeded_users) + ") AS g";

// The query text and its one parameter, for what was asked.
struct Statement {
    const char* sql;
    std::string parameter;
};
Statement statement_for(const DbQuery& query) {
    if (query.user_id > 0) return {user_sql, std::to_string(query.user_id)};
    return {sleep_sql, std::to_string(query.sleep.count())};
}

std::string why(pg_conn* conn) {
    std::string text = PQerrorMessage(conn);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}


// Reads the one row of either query, frees the result, throws if the query failed.
QueryTimes times_of(PGresult* result, pg_conn* conn) {
    struct Free {
        PGresult* r;
        ~Free() { PQclear(r); }
    } free{result};
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1)
        throw std::runtime_error("PostgreSQL: " + (result ? std::string(PQresultErrorMessage(result)) : why(conn)));
    auto number = [&](int column) { return std::strtoll(PQgetvalue(result, 0, column), nullptr, 10); };
    bool found = !PQgetisnull(result, 0, 1);  // a sleep answers '' and a user its name; NULL: no such user
    // PostgreSQL's wall-clock microseconds as this machine's monotonic ones, both by one offset (for a
    // server elsewhere the offset is constant too, and overlaps are still counted right).
    const std::int64_t offset = unix_minus_monotonic_us();
    return {.start_us = number(0) - offset, .end_us = number(2) - offset, .backend_pid = static_cast<int>(number(3)),
            .found = found, .user_name = PQgetvalue(result, 0, 1)};
}

}  // namespace

PgConnection::PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string reason = why(conn_);
        PQfinish(conn_);
        throw std::runtime_error("cannot connect to PostgreSQL: " + reason);
    }
    PGresult* created = PQexec(conn_, create_users_sql.c_str());
    if (PQresultStatus(created) != PGRES_COMMAND_OK) users_error_ = "cannot create the users table: " + why(conn_);
    PQclear(created);
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::recover() {
    if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    PQreset(conn_);  // blocking, on this rare path only; if PostgreSQL is gone, the next query says so
}

QueryTimes ask_blocking(PgConnection& connection, const DbQuery& query) {
    if (query.user_id > 0 && !connection.users_error().empty()) throw std::runtime_error(connection.users_error());
    Statement s = statement_for(query);
    const char* values[] = {s.parameter.c_str()};
    // PQexecParams sends the query and waits for the answer: this thread can do nothing else.
    return times_of(PQexecParams(connection.get(), s.sql, 1, nullptr, values, nullptr, nullptr, 0), connection.get());
}

asio::awaitable<QueryTimes> ask_awaiting(PgConnection& connection, DbQuery query) {
    if (query.user_id > 0 && !connection.users_error().empty()) throw std::runtime_error(connection.users_error());
    pg_conn* conn = connection.get();
    Statement s = statement_for(query);
    const char* values[] = {s.parameter.c_str()};
    PQsetnonblocking(conn, 1);
    if (!PQsendQueryParams(conn, s.sql, 1, nullptr, values, nullptr, nullptr, 0))
        throw std::runtime_error("PostgreSQL: " + why(conn));
    // libpq's socket, watched by the loop. Released (not closed) at the end: libpq owns it.
    asio::posix::stream_descriptor socket{co_await asio::this_coro::executor, PQsocket(conn)};
    struct Release {
        asio::posix::stream_descriptor& s;
        ~Release() { s.release(); }
    } release{socket};
    for (int left; (left = PQflush(conn)) != 0;) {
        if (left < 0) throw std::runtime_error("PostgreSQL: " + why(conn));
        co_await socket.async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable);
    }
    // Until the answer is in: suspend while PostgreSQL works, and the loop serves others.
    // libpq then has one result and an end marker to hand over; reading either may need more bytes.
    PGresult* first = nullptr;
    for (bool more = true; more;) {
        for (;;) {
            if (!PQconsumeInput(conn)) throw std::runtime_error("PostgreSQL: " + why(conn));
            if (!PQisBusy(conn)) break;
            co_await socket.async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable);
        }
        PGresult* result = PQgetResult(conn);
        if (!result) more = false;
        else if (!first) first = result;
        else PQclear(result);
    }
    co_return times_of(first, conn);
}

}  // namespace lab
