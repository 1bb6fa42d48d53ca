#include "lab/drivers/postgres.hpp"

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include <libpq-fe.h>

#include "lab/drivers/socket_wait.hpp"

namespace lab {
namespace {

// PostgreSQL reads its own clock before and after the work: the database is the independent
// witness of how many queries it really ran at once. (A SELECT evaluates its list left to right.)
// Both queries answer the same four columns: start, what was asked, end, backend.
#define LAB_PG_NOW "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
constexpr const char* sleep_sql =
    "SELECT " LAB_PG_NOW ", pg_sleep($1::float8 / 1000000)::text, " LAB_PG_NOW ", pg_backend_pid()";
constexpr const char* user_sql =
    "SELECT " LAB_PG_NOW ", (SELECT name FROM users WHERE id = $1::bigint), " LAB_PG_NOW
    ", pg_backend_pid()";
#undef LAB_PG_NOW

const std::string create_users_sql =
    "CREATE TEMPORARY TABLE users (id bigint PRIMARY KEY, name text NOT NULL); "
    "INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, " +
    std::to_string(seeded_users) + ") AS g";

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
        throw std::runtime_error("PostgreSQL: " +
                                 (result ? std::string(PQresultErrorMessage(result)) : why(conn)));
    auto number = [&](int column) {
        return std::strtoll(PQgetvalue(result, 0, column), nullptr, 10);
    };
    // A sleep answers '' and a user its name; NULL: no such user
    bool found = !PQgetisnull(result, 0, 1);
    // PostgreSQL's wall-clock microseconds as this machine's monotonic ones, both by one offset
    // (for a server elsewhere the offset is constant too, and overlaps are still counted right).
    const std::int64_t offset = unix_minus_monotonic_us();
    return {.start_us = number(0) - offset,
            .end_us = number(2) - offset,
            .backend_pid = static_cast<int>(number(3)),
            .found = found,
            .user_name = PQgetvalue(result, 0, 1)};
}

// One query's exchange with PostgreSQL, in the steps libpq's PQexec takes inside: send it, write
// it out, then read until the whole answer is in. Each step does what it can without waiting and
// says whether the socket must be waited for; how to wait is the two drivers' one difference.
class PgExchange {
public:
    PgExchange(PgConnection& connection, const DbQuery& query) : conn_(connection.get()) {
        if (query.user_id > 0 && !connection.users_error().empty())
            throw std::runtime_error(connection.users_error());
        // The query's one parameter: the user's id, or how long to sleep.
        const bool user = query.user_id > 0;
        const std::string parameter = std::to_string(user ? query.user_id : query.sleep.count());
        const char* values[] = {parameter.c_str()};
        PQsetnonblocking(conn_, 1);
        if (!PQsendQueryParams(conn_, user ? user_sql : sleep_sql, 1, nullptr, values, nullptr,
                               nullptr, 0))
            throw std::runtime_error("PostgreSQL: " + why(conn_));
    }
    PgExchange(const PgExchange&) = delete;
    PgExchange& operator=(const PgExchange&) = delete;
    ~PgExchange() { PQclear(first_); }

    int socket() const { return PQsocket(conn_); }

    // Whether bytes of the query are still to be written (the socket's buffer was full).
    bool sending() {
        int left = PQflush(conn_);
        if (left < 0) throw std::runtime_error("PostgreSQL: " + why(conn_));
        return left > 0;
    }

    // Whether the answer is still to come. libpq hands over one result and then an end marker;
    // reading either may need more bytes from the socket. A connection the server closed after
    // its answer (a FATAL error, then the end) is reported by that answer, not by the closing.
    bool awaiting_answer() {
        for (;;) {
            while (!PQisBusy(conn_)) {
                PGresult* result = PQgetResult(conn_);
                if (!result) return false;
                if (!first_) first_ = result;
                else PQclear(result);
            }
            if (!PQconsumeInput(conn_)) {
                if (first_) return false;
                throw std::runtime_error("PostgreSQL: " + why(conn_));
            }
            if (PQisBusy(conn_)) return true;
        }
    }

    QueryTimes answer() {
        PGresult* first = std::exchange(first_, nullptr);
        return times_of(first, conn_);
    }

private:
    pg_conn* conn_;
    PGresult* first_ = nullptr;
};

}  // namespace

PgConnection::PgConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string reason = why(conn_);
        PQfinish(conn_);
        throw std::runtime_error("cannot connect to PostgreSQL: " + reason);
    }
    PGresult* created = PQexec(conn_, create_users_sql.c_str());
    if (PQresultStatus(created) != PGRES_COMMAND_OK)
        users_error_ = "cannot create the users table: " + why(conn_);
    PQclear(created);
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::recover() {
    if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    // Blocking, on this rare path only; if PostgreSQL is gone, the next query says so.
    PQreset(conn_);
}

// The two differ only in how they wait for the socket (lab/drivers/socket_wait.hpp).
QueryTimes ask_blocking(PgConnection& connection, const DbQuery& query) {
    PgExchange exchange(connection, query);
    while (exchange.sending()) wait_until(exchange.socket(), Ready::to_write);
    while (exchange.awaiting_answer())
        wait_until(exchange.socket(), Ready::to_read);  // this thread waits for PostgreSQL
    return exchange.answer();
}

asio::awaitable<QueryTimes> ask_awaiting(PgConnection& connection, DbQuery query) {
    PgExchange exchange(connection, query);
    Watched socket(co_await asio::this_coro::executor, exchange.socket());
    while (exchange.sending()) co_await socket.until(Ready::to_write);
    while (exchange.awaiting_answer())
        co_await socket.until(Ready::to_read);  // the loop serves others meanwhile
    co_return exchange.answer();
}

}  // namespace lab
