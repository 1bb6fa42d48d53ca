#pragma once
// The lab's endpoints, mirroring the documents' example apps, decided without any I/O so that
// every bound a request can set is checked in one place (and unit-tested).
#include <string>
#include <string_view>

#include "lab/clock.hpp"
#include "lab/server/service_record.hpp"

namespace lab {

inline constexpr long max_delay_ms = 60'000;  // for /delay, /cpu, /db, /fetch and /cache alike
inline constexpr long default_delay_ms = 100;
inline constexpr long max_user_id = 1'000'000'000;  // /users/{id}: 1..max_user_id, else a 400
inline constexpr long max_job_id = 1'000'000'000'000;  // /jobs/{id}: 1..max_job_id, else a 400

struct Route {
    enum class Kind {
        root,
        health,
        stats,
        delay,
        cpu,
        db,
        user,
        fetch,
        cache,
        job_submit,
        job_status,
        error
    };
    Kind kind = Kind::error;
    Micros amount{0};  // time to wait (delay, db, fetch, cache), or CPU time to use (cpu)
    long user_id = 0;  // for Kind::user: the {id} of /users/{id}
    long job_id = 0;  // for Kind::job_status: the {id} of /jobs/{id}
    bool computes = false;  // for Kind::job_submit: cpu_ms (else wait_ms)
    bool reset = false;  // for Kind::stats: ?reset=1 clears the maxima after reading
    // POST /background/delay|cpu: answered 202 at once, the work done after
    bool background = false;
    int status = 200;  // for Kind::error: 400, 404 or 405
    std::string error_body = {};  // for Kind::error: JSON with the reason
    std::string allow = {};  // for 405: the methods the path does accept
};

// Decides what a request asks for, or why it cannot have it.
Route route(std::string_view method, std::string_view target);

std::string root_body();
std::string health_body();
// The answer after the work `r` asked for (delay, cpu, db, user, fetch or cache) was done as
// `served`; for /users/{id}, the row, or why not (a 404).
std::string served_body(const Route& r, const ServiceRecord& served);
std::string accepted_body(const Route& r, long id);  // the 202 of a background task: what will run
std::string stats_body(bool reset);
std::string error_body(int status, std::string_view reason);

}  // namespace lab
