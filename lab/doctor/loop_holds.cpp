#include "lab/doctor/loop_holds.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "lab/doctor/run.hpp"

namespace lab {
namespace {

// The probe's clock (CLOCK_MONOTONIC µs) less the batch's time axis: the first request the app
// began, as both saw it (its x-lab-start-us, put on the axis by the harness; its record's start).
std::optional<std::int64_t> probe_clock_on_axis(const Batch& batch,
                                                const std::vector<ProbeRecord>& records) {
    std::optional<std::int64_t> stamped, recorded;
    for (const RequestRecord& q : batch.requests)
        if (q.has_server_stamps() && (!stamped || q.server_start_us < *stamped))
            stamped = q.server_start_us;
    for (const ProbeRecord& p : records)
        if (p.start_us >= 0 && (!recorded || p.start_us < *recorded)) recorded = p.start_us;
    if (!stamped || !recorded) return std::nullopt;
    return *recorded - *stamped;
}

// Each record's holds on the batch's axis; `endpoint_of` a record's place in the mix (-1: not one
// of the batch's), `named` whether that place's route holds the loop.
std::vector<LoopHold> holds_on_axis(const Batch& batch, const std::vector<ProbeRecord>& records,
                                    const std::function<int(const ProbeRecord&)>& endpoint_of,
                                    const std::function<bool(int)>& named) {
    std::vector<LoopHold> holds;
    auto origin = probe_clock_on_axis(batch, records);
    if (!origin) return holds;
    for (const ProbeRecord& p : records) {
        int endpoint = endpoint_of(p);
        if (endpoint < 0) continue;
        for (auto [from, to] : p.spans)
            holds.push_back({endpoint, from - *origin, to - *origin, named(endpoint)});
    }
    std::sort(holds.begin(), holds.end(),
              [](const LoopHold& a, const LoopHold& b) { return a.start_us < b.start_us; });
    return holds;
}

}  // namespace

std::vector<LoopHold> loop_holds(const RouteRun& route) {
    const bool named = holds_the_loop(route.figures.verdict);
    return holds_on_axis(
        route.burst, route.records, [](const ProbeRecord&) { return 0; },
        [&](int) { return named; });
}

std::vector<LoopHold> loop_holds(const MixedRun& mixed, const std::vector<RouteRun>& routes) {
    auto endpoint_of = [&](const ProbeRecord& p) {
        for (std::size_t k = 0; k < mixed.routes.size(); ++k)
            if (routes[mixed.routes[k]].request.target == p.target) return static_cast<int>(k);
        return -1;
    };
    auto named = [&](int k) {
        return holds_the_loop(routes[mixed.routes[static_cast<std::size_t>(k)]].figures.verdict);
    };
    return holds_on_axis(mixed.batch, mixed.records, endpoint_of, named);
}

}  // namespace lab
