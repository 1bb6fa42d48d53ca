#pragma once
// What a server says of a batch once it is over (its GET /stats, the lab's own servers' and the
// probe's alike): how long its loop was held, how many computed at once, and for a student's app
// how long each request's own code held the loop, where, and what to change there.
#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"

namespace lab {

// The server's GET `path`, read bounded (parse_bounded_json), or an empty object when it does not
// answer one (a server that is not the lab's, or one that has stopped): `why`, where given.
nlohmann::json stats_of(const LoadSpec& server, const std::string& path,
                        std::string* why = nullptr);

// Background tasks outlive their answers: the next batch (and the server's account of this one)
// waits until the server says none is running, for at most `limit`.
void wait_for_background_tasks(const LoadSpec& server, const std::string& path,
                               std::chrono::milliseconds limit);

// The server's own account of a batch, since the last reset (-1 where it won't say).
struct ServerAccount {
    // The longest run of handlers holding the loop (a blocked loop: ~N·d), or its timer's worst
    // lag (e.g. waiting for a GIL).
    double blocked_ms = -1;
    int computing = -1;  // most threads computing at one moment
    double held_per_request_ms = -1;  // a probed app: the median request's own time on the loop
    std::string held_where;  // and where its longest hold was
    std::string held_fix;  // and what to change there (lab/run/fix_table.hpp)
};
ServerAccount server_account(const LoadSpec& server, const std::string& path);

}  // namespace lab
