// `lab doctor --ramp`, the doctor's run's last phase: declared with the run's others (run.hpp).
#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "lab/doctor/knee.hpp"
#include "lab/doctor/run.hpp"
#include "lab/layout.hpp"
#include "lab/run/configuration_processes.hpp"

namespace lab {
namespace {

using std::chrono::milliseconds;

// Five rounds of the route's latency alone, so a step reaches its steady state; 0.3 to 2 s.
milliseconds step_time(const RouteRun& r) {
    return milliseconds(std::clamp(static_cast<long>(5 * r.warm.took_ms), 300L, 2000L));
}

// After a step, once the requests it left running have finished: what the probe counted
// meanwhile, reset for the next step. With the probe, they have when it has none in service (10 s
// at most); without, nothing is counted, after the step's longest latency (5 s at most).
LimiterCounts counted_after(const LoadSpec& spec, const Batch& b, bool probed) {
    if (!probed) {
        std::int64_t longest_us = 0;
        for (const RequestRecord& r : b.requests) longest_us = std::max(longest_us, r.latency_us());
        std::this_thread::sleep_for(
            std::chrono::microseconds(std::min<std::int64_t>(longest_us, 5'000'000)));
        return {};
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (probe_json(spec, "/__lab/limiters").value("in_service", 0) > 0 &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(20));
    const nlohmann::json counted = probe_json(spec, "/__lab/limiters?reset=1");
    try {  // (an app may answer for the probe: its counts are read field by field)
        check_step_fields(counted, "the counts");
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("the lab's probe at /__lab/limiters said ") +
                                 e.what());
    }
    return counted.get<LimiterCounts>();
}

std::vector<RampStep> ramp_route(const ConfigurationProcesses& app, const RouteRun& r,
                                 int max_in_flight, bool probed) {
    LoadSpec spec = spec_for(app, r.request, 1, "");  // (no bystander)
    spec.run_for = step_time(r);
    spec.deadline = spec.run_for + std::chrono::seconds(30);
    spec.keep_records = 100'000;
    if (probed) probe_json(spec, "/__lab/limiters?reset=1");
    const auto counted = [&](const Batch& b) { return counted_after(spec, b, probed); };
    return ramp_up(max_in_flight, [&](int k) { return ramp_step(spec, k, 1, counted); });
}

// A step's time: its load, then its last requests settling and the probe read.
double step_s(const RouteRun& r) {
    return step_time(r).count() / 1000.0 + r.warm.took_ms / 1000.0 + 0.02;
}

}  // namespace

double ramp_estimate_s(const std::vector<RouteRun>& routes, int max_in_flight) {
    double s = 0;
    for (const RouteRun& r : routes)
        if (r.judged())
            s += ramp_estimate_s(max_in_flight, step_s(r),
                                 r.warm.serialized_ms() >= 0.5 * r.warm.took_ms);
    return s;
}

void ramp_routes(const ConfigurationProcesses& app, DoctorRun& run, int max_in_flight,
                 const std::function<void(const std::string&)>& say) {
    double most_s = 0;
    for (const RouteRun& r : run.routes)
        if (r.judged()) most_s += most_steps(max_in_flight) * step_s(r);
    say(fmt::format(
        "ramp: each route up to {} in flight, a step at a time: about {:.0f} s (at most {:.0f})",
        max_in_flight, ramp_estimate_s(run.routes, max_in_flight), most_s));
    for (RouteRun& r : run.routes) {
        if (!r.judged()) continue;
        say(fmt::format("{}: ramp, {} s a step", request_named(r),
                        fixed(step_time(r).count() / 1000.0, 1)));
        r.ramp = ramp_route(app, r, max_in_flight, run.probed);
    }
}

int routes_under(const DoctorRun& run, double rps) {
    return static_cast<int>(std::count_if(run.routes.begin(), run.routes.end(), [&](auto& r) {
        if (!r.judged() || r.ramp.empty()) return false;
        const Capacity c = capacity_of(r.ramp, r.figures, run.probed);
        return c.measured_rps < rps || c.failed > 0;  // (good answers only)
    }));
}

}  // namespace lab
