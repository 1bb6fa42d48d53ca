#include "lab/results/derived_keys.hpp"

namespace lab {

using nlohmann::json;

namespace {

json latency_json(const BatchStats& st) {
    return {{"min", st.latency_min_s}, {"p50", st.latency_p50_s}, {"p90", st.latency_p90_s},
            {"p99", st.latency_p99_s}, {"max", st.latency_max_s}, {"mean", st.latency_mean_s}};
}

}  // namespace

json derived_batch(const BatchRecord& b) {
    const BatchStats& st = b.stats;
    std::vector<double> probe_s;
    for (const auto& p : b.probes)
        if (p.ok()) probe_s.push_back(static_cast<double>(p.latency_us()) / 1e6);
    json per_worker = json::object();
    for (auto [pid, n] : st.per_worker) per_worker[std::to_string(pid)] = n;
    return {
        {"ok", st.ok},
        {"failed", st.failed},
        {"makespan_s", st.makespan_s},
        {"latency_s", latency_json(st)},
        {"throughput_rps", st.throughput_rps},
        {"effective_concurrency", st.effective_concurrency},
        {"max_in_service", st.max_in_service},
        {"probes", b.probes.size()},
        {"probe_latency_s", {{"p50", percentile(probe_s, 50)}, {"max", percentile(probe_s, 100)}}},
        {"requests_per_worker", per_worker}};
}

json open_loop_json(const OpenLoopLatencies& s) {
    auto percentiles = [](const Histogram& h) {
        return json{{"p50", h.percentile(50)}, {"p90", h.percentile(90)},
                    {"p99", h.percentile(99)}, {"p999", h.percentile(99.9)},
                    {"max", h.max()},          {"count", h.count()}};
    };
    return {{"from_due_us", percentiles(s.corrected)},
            {"from_send_us", percentiles(s.uncorrected)},
            {"late_for_connection", s.late_for_connection},
            {"harness_slip_us", s.harness_slip_us}};
}

}  // namespace lab
