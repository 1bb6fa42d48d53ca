#include "lab/figures/figure_value.hpp"

#include <algorithm>

#include "harness/statistics.hpp"
#include "lab/figures/open_loop_summary.hpp"
#include "lab/figures/websocket_figures.hpp"
#include "lab/layout.hpp"

namespace lab {

namespace {

// Over every batch's answered requests: `of` each one's time, in ms.
template <class Of>
std::optional<double> request_percentile(const ConfigurationResult& r, double p, Of of) {
    std::vector<double> ms;
    for (const Batch& b : r.batches)
        for (const RequestRecord& q : b.requests)
            if (q.ok()) ms.push_back(static_cast<double>(of(q)) / 1000.0);
    if (ms.empty()) return std::nullopt;
    return percentile(ms, p);
}

std::optional<double> probe_percentile(const ConfigurationResult& r, double p) {
    std::vector<double> ms;
    for (const Batch& b : r.batches)
        for (const RequestRecord& q : b.probes)
            if (q.ok()) ms.push_back(static_cast<double>(q.latency_us()) / 1000.0);
    if (ms.empty()) return std::nullopt;
    return percentile(ms, p);
}

// Why a bystander figure has no value: no bystander, none sent before the batches ended, or none answered.
std::string why_no_probe(const ConfigurationResult& r, const Load& load) {
    if (load.probe_path.empty()) return "this load sends no bystander (probe_path)";
    std::size_t sent = 0;
    for (const Batch& b : r.batches) sent += b.probes.size();
    if (sent == 0)
        return "no health check was sent: each batch was over within " + fixed(r.makespan.max * 1000.0, 1) + " ms, before the first (" +
               fixed(load.probe_every_ms / 2.0, 1) + " ms after the start, then one every " + std::to_string(load.probe_every_ms) + " ms)";
    return "none of the " + std::to_string(sent) + " health checks sent was answered";
}

}  // namespace

std::string why_not_measured(const std::string& name, const ConfigurationResult& r, const Load& load) {
    if (!r.error.empty()) return "the row stopped: " + r.error;
    if (r.batches.empty()) return "no batch was measured";
    if (name.starts_with("probe_")) return why_no_probe(r, load);
    if (name.starts_with("answer_") || name == "done_p50") return "no request was answered";
    if (name == "model") return "this row has no model (the lab did not write its server)";
    if (name == "loop_blocked" || name.ends_with("at_once"))
        return r.configuration.stats_path().empty() ? "its server keeps no account the lab can read"
                                                    : "its server gave no account of it (GET " + r.configuration.stats_path() + ")";
    if (name == "pss" || name == "peak_rss") return "the server's memory was not read (load.report_memory)";
    if (name == "busiest_worker") return "no request named the worker that answered it";
    return "this run has no value of it";
}

std::optional<double> figure_value(const std::string& name, const ConfigurationResult& r, const Load& load) {
    if (!r.error.empty() || r.batches.empty()) return std::nullopt;
    const BatchStats* median = r.stats.empty() ? nullptr : &r.stats[r.median_batch];
    if (is_websocket_figure(name)) return websocket_figure(name, r);
    if (name == "measured") return r.makespan.median;
    if (name == "throughput") return r.makespan.median > 0 ? std::optional(load.requests / r.makespan.median) : std::nullopt;
    if (name == "model") return r.model.formula.empty() ? std::nullopt : std::optional(r.model_s);
    if (name == "answer_p50") return request_percentile(r, 50, [](const RequestRecord& q) { return q.latency_us(); });
    if (name == "answer_min") return request_percentile(r, 0, [](const RequestRecord& q) { return q.latency_us(); });
    if (name == "answer_max") return request_percentile(r, 100, [](const RequestRecord& q) { return q.latency_us(); });
    if (name == "done_p50") {
        auto ms = request_percentile(r, 50, [](const RequestRecord& q) { return q.completion_us(); });
        return ms ? std::optional(*ms / 1000.0) : std::nullopt;
    }
    if (name == "probe_p50") return probe_percentile(r, 50);
    if (name == "probe_max") return probe_percentile(r, 100);
    if (name == "pss") return r.pss_kib < 0 ? std::nullopt : std::optional(static_cast<double>(r.pss_kib) / 1024.0);
    if (name == "peak_rss") return r.peak_rss_kib < 0 ? std::nullopt : std::optional(static_cast<double>(r.peak_rss_kib) / 1024.0);
    if (name == "loop_blocked") {
        std::vector<double> blocked;
        for (double ms : r.loop_blocked_ms)
            if (ms >= 0) blocked.push_back(ms);
        return blocked.empty() ? std::nullopt : std::optional(spread_of(blocked).median);
    }
    if (name == "at_once") return median && median->max_in_service >= 0 ? std::optional<double>(median->max_in_service) : std::nullopt;
    if (name == "db_at_once") return median && median->max_in_database >= 0 ? std::optional<double>(median->max_in_database) : std::nullopt;
    if (name == "computing_at_once")
        return r.median_batch < r.max_computing.size() && r.max_computing[r.median_batch] >= 0
                   ? std::optional<double>(r.max_computing[r.median_batch]) : std::nullopt;
    if (name == "busiest_worker") {
        if (!median || median->per_worker.empty() || median->ok == 0) return std::nullopt;
        int most = 0;
        for (auto [pid, n] : median->per_worker) most = std::max(most, n);
        return 100.0 * most / median->ok;
    }
    if (load.rate > 0 && (name == "p99_from_due" || name == "p99_from_send")) {
        OpenLoopSummary s = open_loop_summary(r);
        const Histogram& h = name == "p99_from_due" ? s.corrected : s.uncorrected;
        return h.count() ? std::optional(static_cast<double>(h.percentile(99)) / 1000.0) : std::nullopt;
    }
    return std::nullopt;
}

}  // namespace lab
