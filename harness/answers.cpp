// What comes back: the names of the ways a request can fail, and the stamps a lab server puts in
// its answers (when and where it served them), which every load of the harness reads.
#include <nlohmann/json.hpp>

#include "harness/load_generator.hpp"

namespace lab {

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::none: return "";
        case ErrorKind::connect: return "connect";
        case ErrorKind::write: return "write";
        case ErrorKind::read: return "read";
        case ErrorKind::status: return "status";
        case ErrorKind::timeout: return "timeout";
    }
    return "?";
}

void read_server_stamps(std::string_view body, std::int64_t origin_us, RequestRecord& r) {
    if (body.find("\"worker_id\"") == std::string_view::npos) return;  // e.g. /health: nothing to parse
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) return;
    auto number = [&](const char* key) -> std::int64_t {
        auto it = json.find(key);
        return it != json.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
    };
    r.worker_pid = number("worker_id");
    r.thread_id = number("thread_id");
    if (auto start = number("server_start_us"), end = number("server_end_us"); start >= 0 && end >= 0) {
        r.server_start_us = start - origin_us;
        r.server_end_us = end - origin_us;
    }
    if (auto start = number("db_start_us"), end = number("db_end_us"); start > 0 && end > 0) {
        r.db_start_us = start - origin_us;
        r.db_end_us = end - origin_us;
    }
}

}  // namespace lab
