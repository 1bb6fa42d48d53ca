#include "harness/answers.hpp"

#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

namespace lab {

void read_server_stamps(std::string_view body, std::int64_t origin_us, RequestRecord& r) {
    if (body.find("\"worker_id\"") == std::string_view::npos) return;  // /health: nothing to parse
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) return;
    auto number = [&](const char* key) -> std::int64_t {
        auto it = json.find(key);
        return it != json.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
    };
    r.worker_pid = number("worker_id");
    r.thread_id = number("thread_id");
    if (auto start = number("server_start_us"), end = number("server_end_us");
        start >= 0 && end >= 0) {
        r.server_start_us = start - origin_us;
        r.server_end_us = end - origin_us;
    }
    if (auto start = number("db_start_us"), end = number("db_end_us"); start > 0 && end > 0) {
        r.db_start_us = start - origin_us;
        r.db_end_us = end - origin_us;
    }
}

bool HeaderStamps::read(std::string_view name, std::string_view value) {
    std::string field(name);
    for (char& ch : field) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::int64_t* into = field == "x-lab-start-us"             ? &start_us
                         : field == "x-lab-end-us"             ? &end_us
                         : field == "x-lab-pid"                ? &pid
                         : field == "x-lab-thread"             ? &thread
                         : field == "x-lab-token-wait-us"      ? &token_wait_us
                         : field == "x-lab-connection-wait-us" ? &connection_wait_us
                                                               : nullptr;
    if (!into) return false;
    std::int64_t n = -1;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && end == value.data() + value.size() && n >= 0) *into = n;
    return true;
}

// The probe's stamps are taken by the lab's own code around the app; a body is what the app chose
// to say, and an app may say anything (fake stamps claiming it served all at once): for a probed
// app, the body's stamps are dropped, whether or not the probe's are whole.
void HeaderStamps::apply(std::int64_t origin_us, RequestRecord& r) const {
    if (!stamped())
        return;  // no probe: the body's stamps stand (a lab server's, taken around the work itself)
    const bool whole = start_us >= 0 && end_us >= start_us;
    r.server_start_us = whole ? start_us - origin_us : -1;
    r.server_end_us = whole ? end_us - origin_us : -1;
    r.db_start_us = r.db_end_us = -1;
    r.worker_pid = pid;
    r.thread_id = thread;
    r.token_wait_us = token_wait_us;
    r.connection_wait_us = connection_wait_us;
}

}  // namespace lab
