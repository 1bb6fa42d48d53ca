// How long `lab doctor` will take (DoctorPlan, run.hpp): before anything is sent, from the plan
// alone; once each route was warmed up, from what its warm-up cost the loop and the GIL.
#include <algorithm>

#include "lab/doctor/run.hpp"

namespace lab {

DoctorPlan doctor_plan(std::size_t routes, int requests) {
    DoctorPlan plan;
    plan.warmups = routes;
    // Each route's, then all of them mixed (burst, mix)
    plan.bursts = routes + (routes >= 2 ? 1 : 0);
    plan.requests = static_cast<double>(routes) * requests * (routes >= 2 ? 2 : 1);
    return plan;
}

double DoctorPlan::seconds() const {
    // Watched past its answers; the probe reset and read.
    const double per_burst_s = bystander_after_ms / 1000.0 + 2 * exchange_s;
    return static_cast<double>(warmups) * exchange_s + static_cast<double>(bursts) * per_burst_s +
           requests * answer_s + stop_s + serialized_s;
}

double WarmUp::serialized_ms() const {
    // A pool thread's computing takes turns at the GIL with the others' (sqlite3 and hashlib,
    // which let go of it, share the cores instead: an estimate a little long for them).
    return loop_ms + pool_cpu_ms;
}

DoctorPlan doctor_plan(const std::vector<RouteRun>& warmed, int requests) {
    std::size_t judged = 0;
    double mixed_serial_s = 0, slowest_s = 0, n = requests;
    DoctorPlan plan;
    for (const RouteRun& r : warmed) {
        if (!r.judged()) continue;
        ++judged;
        // A burst of N: what each request serializes (the loop, the GIL) N times over, the
        // rest of one request's time once, as the requests overlap in it.
        double serial_s = r.warm.serialized_ms() / 1e3, took_s = r.warm.took_ms / 1e3;
        plan.serialized_s += n * serial_s + std::max(0.0, took_s - serial_s);
        mixed_serial_s += n * serial_s, slowest_s = std::max(slowest_s, took_s);
    }
    DoctorPlan counted = doctor_plan(judged, requests);
    counted.serialized_s = plan.serialized_s + (judged >= 2 ? mixed_serial_s + slowest_s : 0);
    counted.warmups = 0;  // (done: the plan is of what is left)
    return counted;
}

}  // namespace lab
