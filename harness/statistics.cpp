#include "harness/statistics.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>

#include <fmt/format.h>

#include "harness/nearest_rank.hpp"
#include "harness/tally.hpp"

namespace lab {

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::ranges::sort(values);
    return values[static_cast<std::size_t>(nearest_rank(std::ssize(values), p)) - 1];
}

Spread spread_of(std::vector<double> values) {
    if (values.empty()) return {};
    std::sort(values.begin(), values.end());
    std::size_t n = values.size();
    double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return {median, values.front(), values.back()};
}

int max_overlap(std::vector<Interval> intervals) {
    // Sweep the ends and starts in time order; at equal times ends go first.
    std::vector<std::pair<std::int64_t, int>> events;
    for (auto [start, end] : intervals) events.insert(events.end(), {{start, +1}, {end, -1}});
    std::sort(events.begin(), events.end());
    int now = 0, most = 0;
    for (auto [time, delta] : events) most = std::max(most, now += delta);
    return most;
}

BatchStats summarize(const Batch& batch) {
    BatchStats s;
    std::vector<double> latencies;
    std::vector<Interval> in_service, in_database;
    std::int64_t first_send = INT64_MAX, last_end = 0;
    double service_total_s = 0;
    std::int64_t way_in = INT64_MAX, way_back = INT64_MAX;  // (µs, a round trip's two ways)
    for (const RequestRecord& r : batch.requests) {
        if (r.send_us >= 0) first_send = std::min(first_send, r.send_us);
        if (!r.ok()) {
            ++s.failed;
            continue;
        }
        ++s.ok;
        // Until done: for a queued job, until a poll found it finished, not its quick 202.
        last_end = std::max(last_end, r.finished_us());
        latencies.push_back(static_cast<double>(r.completion_us()) / 1e6);
        if (r.has_server_stamps()) {
            in_service.push_back({r.server_start_us, r.server_end_us});
            const double served_s = static_cast<double>(r.server_end_us - r.server_start_us) / 1e6;
            service_total_s += served_s;
            s.longest_service_s = std::max(s.longest_service_s, served_s);
            way_in = std::min(way_in, r.server_start_us - r.send_us);
            way_back = std::min(way_back, r.end_us - r.server_end_us);
        } else {
            service_total_s += static_cast<double>(r.end_us - r.send_us) / 1e6;
        }
        if (r.has_db_stamps()) in_database.push_back({r.db_start_us, r.db_end_us});
        if (r.worker_pid >= 0) ++s.per_worker[r.worker_pid];
    }
    if (s.ok == 0) return s;
    if (way_in < INT64_MAX) s.round_trip_s = static_cast<double>(way_in + way_back) / 1e6;
    s.makespan_s = static_cast<double>(last_end - first_send) / 1e6;
    s.latency_min_s = percentile(latencies, 0);
    s.latency_p50_s = percentile(latencies, 50);
    s.latency_p90_s = percentile(latencies, 90);
    s.latency_p99_s = percentile(latencies, 99);
    s.latency_max_s = percentile(latencies, 100);
    s.latency_mean_s = std::accumulate(latencies.begin(), latencies.end(), 0.0) /
                       static_cast<double>(latencies.size());
    if (s.makespan_s > 0) {
        s.throughput_rps = s.ok / s.makespan_s;
        s.effective_concurrency = service_total_s / s.makespan_s;
    }
    if (in_service.size() == static_cast<std::size_t>(s.ok))
        s.max_in_service = max_overlap(in_service);
    if (in_database.size() == static_cast<std::size_t>(s.ok))
        s.max_in_database = max_overlap(in_database);
    return s;
}

bool too_fast_to_tell(const BatchStats& stats) {
    return stats.ok >= 2 && stats.max_in_service == 1 && stats.longest_service_s >= 0 &&
           stats.longest_service_s < stats.round_trip_s;
}

Verdict verdict(const BatchStats& stats, int requests, int concurrency) {
    if (stats.ok == 0) return {Served::failed};
    // Without the server's own stamps the client cannot tell served from queued: a server that
    // took requests one at a time looks, from outside, like one that served a few at once.
    if (stats.max_in_service < 0) return {Served::unknown};
    int at_once = stats.max_in_service;
    if (too_fast_to_tell(stats)) return {Served::instant, 0, std::string("; ") + instant_reason};
    if (at_once <= 1) return {Served::sequential};
    if (at_once >= std::min(requests, concurrency)) return {Served::concurrent};
    return {Served::limited, at_once};
}

std::string Verdict::text() const {
    const std::string limit = " " + std::to_string(at_once) + " at a time";
    return name_of(served) + (served == Served::limited ? limit : "") + detail;
}

Verdict Verdict::read(std::string_view text) {
    for (const auto& [served, words] : Names<Served>::list) {
        if (words.empty() || !text.starts_with(words)) continue;
        Verdict v{served, 0, std::string(text.substr(words.size()))};
        if (served == Served::limited && v.detail.size() > 1) {  // " K at a time": K read back
            std::from_chars(v.detail.data() + 1, v.detail.data() + v.detail.size(), v.at_once);
            const std::size_t end = v.detail.find(" at a time");
            v.detail = end == std::string::npos ? "" : v.detail.substr(end + 10);
        }
        if (v.text() == text) return v;  // else words of its own that begin alike
        break;
    }
    return {Served::said, 0, std::string(text)};
}

std::string mostly_unanswered(const Batch& batch, std::string_view which) {
    Tally all;
    for (const Tally& t : batch.tallies.empty() ? tally_of(batch.requests, 1) : batch.tallies)
        all.merge(t);
    // (a status and an answer over the harness's limits are answers; these four are not)
    ErrorKind most = ErrorKind::connect;
    std::int64_t none = 0;
    for (ErrorKind kind :
         {ErrorKind::connect, ErrorKind::write, ErrorKind::read, ErrorKind::timeout}) {
        none += all.errors_of(kind);
        if (all.errors_of(kind) > all.errors_of(most)) most = kind;
    }
    if (none == 0 || none * 2 <= all.requests) return "";
    const bool why = most == ErrorKind::connect && !batch.connect_failure.empty();
    return fmt::format("{} of {}'s {} requests got no answer ({}{})", none, which, all.requests,
                       to_string(most), why ? ": " + batch.connect_failure : "");
}

}  // namespace lab
