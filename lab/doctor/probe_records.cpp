// What the probe says of each request (GET /__lab/requests, lab/reference/app_probe.py), read
// into ProbeRecord (run.hpp) through the keys doctor.json keeps.
#include <fmt/format.h>

#include "lab/doctor/run.hpp"

namespace lab {

std::vector<ProbeRecord> records_from_json(const nlohmann::json& listed) {
    std::vector<ProbeRecord> records;
    if (listed.value("attribution", true) != true)  // only the run's key switches it (run_key.hpp)
        throw std::runtime_error(
            "the probe's attribution was switched off during the run: "
            "nothing it measured can be judged");
    auto list = listed.find("requests");
    if (list == listed.end() || !list->is_array()) return records;
    for (nlohmann::json r : *list) {
        if (!r.is_object()) continue;
        // "app/vendor_sdk.py:7 exchange_rate → time.sleep", from the probe's {file, line,
        // function, call}, beside the call and whose code it was.
        nlohmann::json where = r.value("where", nlohmann::json());
        r.erase("where");
        if (where.is_object()) {
            const std::string file = where.value("file", ""), call = where.value("call", "");
            if (!file.empty())
                r["where"] =
                    fmt::format("{}:{} {}{}", file, where.value("line", 0),
                                where.value("function", ""), call.empty() ? "" : " → " + call);
            r["call"] = call, r["owner"] = where.value("owner", "");
            r["owner_name"] = where.value("owner_name", "");
        }
        for (auto it = r.begin(); it != r.end();) it = it->is_null() ? r.erase(it) : std::next(it);
        try {
            records.push_back(r.get<ProbeRecord>());
        } catch (const nlohmann::json::exception&) {
            // (a field of a type the probe never sends: not its record)
        }
    }
    return records;
}

}  // namespace lab
