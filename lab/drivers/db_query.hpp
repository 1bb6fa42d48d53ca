#pragma once
// A query as the PostgreSQL drivers see it: what a request asks, and what the database says of it.
#include <cstdint>
#include <string>

#include "lab/clock.hpp"  // Micros

namespace lab {

// What a request asks PostgreSQL: to sleep d (/db?ms=d), or for one row of the users table
// (/users/{id}, a primary-key lookup, with no sleep).
struct DbQuery {
    Micros sleep{0};
    long user_id = 0;  // 0: no lookup
};

// What PostgreSQL itself says about one query: its own clock when the query began and ended
// (clock_timestamp(), as this machine's monotonic microseconds so it lines up with the rest), and
// which of its backend processes ran it. The database is a witness independent of the server.
struct QueryTimes {
    std::int64_t start_us = 0, end_us = 0;
    int backend_pid = 0;
    bool found = false;  // for a lookup: whether the user exists
    std::string user_name;  // and, if so, its name
};

}  // namespace lab
