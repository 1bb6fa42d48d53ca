#include "lab/results/stored_tallies.hpp"

#include <algorithm>
#include "lab/results/schema.hpp"

namespace lab {
namespace {

using nlohmann::json;

constexpr std::size_t most_tallies = 100;  // one per target of a mix (-w: at most 100 weights)
constexpr std::size_t most_statuses = 900;  // codes 100 to 999
constexpr double most_counted = 1e15, latest_us = 9e18;

// A whole number of `j[key]` within [low, high], or the key named as damaged.
std::int64_t whole(const json& j, const char* key, double low, double high,
                   const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() ||
        static_cast<double>(it->get<std::int64_t>()) < low ||
        static_cast<double>(it->get<std::int64_t>()) > high)
        throw SchemaError(where + key + ": must be a whole number from " +
                          std::to_string(static_cast<long long>(low)) + " to " +
                          std::to_string(static_cast<long long>(high)));
    return it->get<std::int64_t>();
}

Histogram histogram_from(const json& j, const std::string& where) {
    if (!j.is_object() || !j.contains("buckets") || !j["buckets"].is_array() ||
        j["buckets"].size() > 10'000)
        throw SchemaError(where + ": must be an object with a list of buckets");
    std::vector<std::pair<int, std::int64_t>> buckets;
    for (const json& b : j["buckets"]) {
        if (!b.is_array() || b.size() != 2 || !b[0].is_number_integer() ||
            !b[1].is_number_integer())
            throw SchemaError(where + ".buckets: each must be [index, count], got " +
                              b.dump().substr(0, 60));
        buckets.emplace_back(
            static_cast<int>(std::clamp<std::int64_t>(b[0].get<std::int64_t>(), -1, 1 << 20)),
            b[1].get<std::int64_t>());
    }
    auto h = Histogram::from_buckets(buckets, whole(j, "min", 0, latest_us, where + "."),
                                     whole(j, "max", 0, latest_us, where + "."));
    if (!h) throw SchemaError(where + ": its buckets, min and max are not those of a histogram");
    return *h;
}

Tally tally_from(const json& j, const std::string& where) {
    if (!j.is_object()) throw SchemaError(where + ": must be an object");
    Tally t;
    t.requests = whole(j, "requests", 0, most_counted, where + ".");
    t.failed = whole(j, "failed", 0, static_cast<double>(t.requests), where + ".");
    t.body_bytes = whole(j, "body_bytes", 0, latest_us, where + ".");
    t.first_due_us = whole(j, "first_due_us", -latest_us, latest_us, where + ".");
    t.last_end_us = whole(j, "last_end_us", -latest_us, latest_us, where + ".");
    t.latency = histogram_from(j.value("latency_us", json()), where + ".latency_us");
    const json& statuses = j.value("statuses", json::object());
    if (!statuses.is_object() || statuses.size() > most_statuses)
        throw SchemaError(where + ".statuses: must be an object of codes");
    for (const auto& [code, n] : statuses.items()) {
        int status = code.size() == 3 && code.find_first_not_of("0123456789") == std::string::npos
                         ? std::stoi(code)
                         : 0;
        if (status < 100)
            throw SchemaError(where + ".statuses: '" + code.substr(0, 20) +
                              "' is not a status code");
        t.statuses[status] = whole(statuses, code.c_str(), 0, most_counted, where + ".statuses.");
    }
    const json& errors = j.value("errors", json());
    if (!errors.is_array() || errors.size() != error_kinds)
        throw SchemaError(where + ".errors: must be a list of " + std::to_string(error_kinds) +
                          " counts");
    for (std::size_t k = 0; k < error_kinds; ++k) {
        if (!errors[k].is_number_integer() || errors[k].get<std::int64_t>() < 0)
            throw SchemaError(where + ".errors: must be counts");
        t.errors[k] = errors[k].get<std::int64_t>();
    }
    return t;
}

}  // namespace

json tallies_json(const std::vector<Tally>& tallies) {
    json all = json::array();
    for (const Tally& t : tallies) {
        json statuses = json::object();
        for (auto [status, n] : t.statuses) statuses[std::to_string(status)] = n;
        all.push_back({{"requests", t.requests},
                       {"failed", t.failed},
                       {"body_bytes", t.body_bytes},
                       {"first_due_us", t.first_due_us},
                       {"last_end_us", t.last_end_us},
                       {"statuses", statuses},
                       {"errors", t.errors},
                       {"latency_us",
                        {{"min", t.latency.min()},
                         {"max", t.latency.max()},
                         {"buckets", t.latency.buckets()}}}});
    }
    return all;
}

std::vector<Tally> tallies_from_json(const json& j, const std::string& where) {
    if (!j.is_array() || j.empty() || j.size() > most_tallies)
        throw SchemaError(where + ": must be a list of 1 to " + std::to_string(most_tallies) +
                          " tallies");
    std::vector<Tally> tallies;
    for (std::size_t k = 0; k < j.size(); ++k)
        tallies.push_back(tally_from(j[k], where + "[" + std::to_string(k) + "]"));
    return tallies;
}

}  // namespace lab
