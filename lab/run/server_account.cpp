#include "lab/run/server_account.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "harness/raw_client.hpp"
#include "lab/bounded_json.hpp"
#include "lab/run/fix_table.hpp"

namespace lab {

nlohmann::json stats_of(const LoadSpec& server, const std::string& path, std::string* why) {
    RawReply reply = send_raw(server.host, server.port, request_bytes(server, "GET", path),
                              std::chrono::seconds(10));
    bool deep = false;
    auto json = reply.status == 200 ? parse_bounded_json(reply.body, &deep) : nlohmann::json();
    if (why)
        *why = deep ? fmt::format("nested deeper than the {} levels read", most_json_depth)
               : !reply.error.empty() ? reply.error
               : reply.status != 200  ? fmt::format("it answered {}", reply.status)
               : !json.is_object()    ? "its answer is not a JSON object"
                                      : "";
    return json.is_object() ? json : nlohmann::json::object();
}

void wait_for_background_tasks(const LoadSpec& server, const std::string& path,
                               std::chrono::milliseconds limit) {
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (stats_of(server, path).value("background_running", 0L) > 0 &&
           std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

ServerAccount server_account(const LoadSpec& server, const std::string& path) {
    nlohmann::json json = stats_of(server, path);
    ServerAccount a;
    a.blocked_ms =
        std::max(json.value("max_loop_blocked_ms", -1.0), json.value("max_loop_lag_ms", -1.0));
    a.computing = json.value("max_computing_at_once", -1);
    a.held_per_request_ms = json.value("held_per_request_ms", -1.0);
    if (auto where = json.find("held_where"); where != json.end() && where->is_string())
        a.held_where = *where;
    if (auto said = json.find("held_diagnosis"); said != json.end())
        a.held_fix = fix_for_stats(*said, a.held_where, a.held_per_request_ms);
    return a;
}

}  // namespace lab
