// What the probe says of each request (GET /__lab/requests, lab/reference/app_probe.py), read
// into ProbeRecord (run.hpp): a field it left out keeps its "none" value, never a guess.
#include <fmt/format.h>

#include "lab/doctor/run.hpp"

namespace lab {
namespace {

double number(const nlohmann::json& j, const char* key, double otherwise) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : otherwise;
}

// "app/vendor_sdk.py:7 exchange_rate → time.sleep", from the probe's {file, line, function, call}.
std::string where_of(const nlohmann::json& w) {
    if (!w.is_object()) return "";
    std::string file = w.value("file", ""), function = w.value("function", ""),
                call = w.value("call", "");
    if (file.empty()) return "";
    return fmt::format("{}:{} {}{}", file, w.value("line", 0), function,
                       call.empty() ? "" : " → " + call);
}

}  // namespace

std::vector<ProbeRecord> records_from_json(const nlohmann::json& listed) {
    std::vector<ProbeRecord> records;
    if (listed.value("attribution", true) != true)  // only the run's key switches it (run_key.hpp)
        throw std::runtime_error(
            "the probe's attribution was switched off during the run: "
            "nothing it measured can be judged");
    auto list = listed.find("requests");
    if (list == listed.end() || !list->is_array()) return records;
    for (const nlohmann::json& r : *list) {
        if (!r.is_object()) continue;
        ProbeRecord p;
        p.method = r.value("method", "");
        p.target = r.value("target", "");
        p.route = r.value("route", "");
        p.status = r.value("status", 0);
        p.start_us = r.value("start_us", std::int64_t{-1});
        p.answered_us = r.value("answered_us", std::int64_t{-1});
        p.done_us = r.value("done_us", std::int64_t{-1});
        p.loop_ms = number(r, "loop_ms", 0);
        p.longest_hold_ms = number(r, "longest_hold_ms", 0);
        p.held_after_answer_ms = number(r, "held_after_answer_ms", 0);
        p.cpu_share = number(r, "cpu_share", -1);
        p.pool_ms = number(r, "pool_ms", 0);
        p.pool_cpu_ms = number(r, "pool_cpu_ms", 0);
        p.pool_wait_ms = number(r, "pool_wait_ms", 0);
        p.gil_wait_ms = number(r, "gil_wait_ms", 0);
        p.pool_blocked_ms = number(r, "pool_blocked_ms", 0);
        if (auto by = r.find("gil_wait_by"); by != r.end() && by->is_string()) p.gil_wait_by = *by;
        p.measured_ms = number(r, "measured_ms", 0);
        p.measured_cpu_ms = number(r, "measured_cpu_ms", 0);
        p.queued_ms = number(r, "queued_ms", 0);
        nlohmann::json where = r.value("where", nlohmann::json());
        p.where = where_of(where);
        if (where.is_object())
            p.call = where.value("call", ""), p.owner = where.value("owner", ""),
            p.owner_name = where.value("owner_name", "");
        if (auto spans = r.find("spans"); spans != r.end() && spans->is_array())
            for (const auto& s : *spans)
                if (s.is_array() && s.size() == 2 && s[0].is_number() && s[1].is_number())
                    p.spans.emplace_back(s[0].get<std::int64_t>(), s[1].get<std::int64_t>());
        records.push_back(std::move(p));
    }
    return records;
}

}  // namespace lab
