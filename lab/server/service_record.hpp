#pragma once
// What the server notes about one request while it is served: when the work began and ended,
// on which process and thread. The harness uses these stamps to tell waiting from being served.
#include <cstdint>
#include <string>

#include <sys/types.h>
#include <unistd.h>

#include "lab/clock.hpp"
#include "lab/drivers/db_query.hpp"
#include "lab/server/live_events.hpp"

namespace lab {

struct ServiceRecord {
    std::int64_t start_us = 0;  // monotonic, comparable across processes on this machine
    std::int64_t end_us = 0;
    std::string start_time = {}, end_time = {};  // wall clock, for people
    pid_t worker_id = 0, thread_id = 0;
    std::int64_t cpu_us = 0;  // CPU time the work used, for /cpu
    QueryTimes db = {};  // for /db: what PostgreSQL itself says of the query
    // The request it serves, for the live channel (lab/server/live_events.hpp)
    int live_request = 0;

    // Called on the thread that does the work, so thread_id names that thread; both stamps also
    // go out on the live channel, if there is one, as they happen.
    static ServiceRecord start() {
        ServiceRecord r{.start_us = monotonic_us(),
                        .start_time = wall_clock_text(),
                        .worker_id = getpid(),
                        .thread_id = gettid(),
                        .live_request = live::current_request()};
        live::send_mark(live::Mark::started, r.live_request, r.start_us);
        return r;
    }
    ServiceRecord finish() && {
        end_us = monotonic_us();
        end_time = wall_clock_text();
        live::send_mark(live::Mark::ended, live_request, end_us);
        return std::move(*this);
    }
};

}  // namespace lab
