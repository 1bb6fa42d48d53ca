#include "lab/figures/load_figures.hpp"

#include <cmath>

namespace lab {

bool log_spaced(const Tally& t) {
    return t.latency.count() > 0 && t.latency.min() > 0 && t.latency.max() >= 10 * t.latency.min();
}

std::vector<LatencySlice> latency_slices(const Tally& t) {
    std::vector<LatencySlice> slices;
    if (t.latency.count() == 0) return slices;
    const std::int64_t low = t.latency.min(), high = t.latency.max();
    if (high == low) return {{high, t.latency.count()}};  // every answer took the same time
    constexpr int count = 10;
    // A long tail (the slowest ten times the fastest or more) is sliced on a log scale, so that
    // the bulk of the answers is not one slice beside nine nearly empty ones.
    const bool log_scale = log_spaced(t);
    std::int64_t below = 0;
    for (int k = 1; k <= count; ++k) {
        std::int64_t edge = log_scale
                                ? static_cast<std::int64_t>(std::llround(
                                      static_cast<double>(low) *
                                      std::pow(static_cast<double>(high) / static_cast<double>(low),
                                               k / static_cast<double>(count))))
                                : low + (high - low) * k / count;
        if (k == count) edge = high;
        if (edge <= (slices.empty() ? low : slices.back().upper_us))
            continue;  // answers within a few µs: fewer, wider slices
        std::int64_t at_most = t.latency.count_at_most(edge);
        slices.push_back({edge, at_most - below});
        below = at_most;
    }
    return slices;
}

std::string latency_precision(const Histogram& h) {
    return h.exact() ? "exact: each answer's own time, as requests.csv gives it"
                     : "within 1 %: from the histogram's buckets, requests.csv holding only the "
                       "first answers";
}

bool is_external_load(const RunResult& run) { return run.scenario.kind == RunKind::load; }

LoadFigures load_figures(const RunResult& run) {
    LoadFigures f;
    f.targets = load_targets(run.scenario.load);
    f.probe_path = run.scenario.load.probe_path;
    f.probe_every_ms = run.scenario.load.probe_every_ms;
    f.endpoints.resize(f.targets.size());
    for (const ConfigurationResult& c : run.configurations)
        for (const Batch& b : c.batches) {
            auto tallies = b.tallies.empty() ? tally_of(b.requests, f.targets.size()) : b.tallies;
            // Past requests.csv's limit the figures are the buckets' (within 1 %), as printed so
            // read back from the folder; else every answer's own, as requests.csv gives them.
            if (b.not_recorded > 0)
                for (Tally& t : tallies) t.latency.forget_values();
            Tally batch;  // (runs are apart by the gaps between them, which are not counted)
            for (std::size_t e = 0; e < tallies.size(); ++e) {
                if (e < f.endpoints.size()) f.endpoints[e].merge(tallies[e]);
                batch.merge(tallies[e]);
            }
            f.seconds += batch.seconds();
            f.unfinished += b.unfinished;
            f.not_recorded += b.not_recorded;
            f.counted_all = f.counted_all && (!b.tallies.empty() || b.not_recorded == 0);
        }
    for (const Tally& t : f.endpoints) f.all.merge(t);
    if (!run.scenario.load.probe_path.empty()) {
        f.bystander.emplace();
        for (const ConfigurationResult& c : run.configurations)
            for (const Batch& b : c.batches) f.bystander->merge(tally_of(b.probes, 1)[0]);
    }
    return f;
}

namespace {

nlohmann::json tally_json(const Tally& t, const LoadFigures& f) {
    const Histogram& h = t.latency;
    nlohmann::json statuses = nlohmann::json::object(), errors = nlohmann::json::object();
    for (auto [status, n] : t.statuses) statuses[std::to_string(status)] = n;
    for (std::size_t k = 1; k < t.errors.size(); ++k)
        errors[std::string(to_string(static_cast<ErrorKind>(k)))] = t.errors[k];
    return {{"requests", t.requests},
            {"failed", t.failed},
            {"requests_per_second", f.per_second(t)},
            {"latency_us",
             {{"p50", h.percentile(50)},
              {"p90", h.percentile(90)},
              {"p99", h.percentile(99)},
              {"p999", h.percentile(99.9)},
              {"max", h.max()},
              {"min", h.min()},
              {"exact", h.exact()}}},
            {"status_codes", statuses},
            {"errors", errors},
            {"body_bytes", t.body_bytes}};
}

}  // namespace

nlohmann::json load_summary_json(const RunResult& run) {
    const LoadFigures& f = run.load_figures;
    nlohmann::json summary = tally_json(f.all, f);
    summary["seconds"] = f.seconds;
    nlohmann::json endpoints = nlohmann::json::array();
    for (std::size_t e = 0; e < f.targets.size(); ++e) {
        nlohmann::json one = tally_json(f.endpoints[e], f);
        one["path"] = f.targets[e].target;
        one["weight"] = f.targets[e].weight;
        endpoints.push_back(std::move(one));
    }
    summary["endpoints"] = std::move(endpoints);
    if (f.bystander) {
        summary["bystander"] = tally_json(*f.bystander, f);
        summary["bystander"]["path"] = f.probe_path;
        summary["bystander"]["every_ms"] = f.probe_every_ms;
    }
    return summary;
}

}  // namespace lab
