#pragma once
// `lab doctor --ramp`: each judged route asked with K requests in flight, closed-loop (the
// harness's run_for), K doubled from 1 until a step bends (lab/doctor/knee.hpp) or reaches
// --max-in-flight, then halved between the last good step and the first bent one, so the knee is
// found to the request. A step lasts five times the route's latency alone (0.3 to 2 s), so each
// of its requests goes round several times; with the probe, it counts the limiters meanwhile.
#include <functional>
#include <string>
#include <vector>

namespace lab {

struct ConfigurationProcesses;  // (lab/run/configuration_processes.hpp)
struct DoctorRun;  // (run.hpp)
struct RouteRun;

inline constexpr int default_max_in_flight = 200, most_in_flight = 1000;

// Every judged route of `run` ramped, its steps in its RouteRun; the time it will take said first.
void ramp_routes(const ConfigurationProcesses& app, DoctorRun& run, int max_in_flight,
                 const std::function<void(const std::string&)>& say);

// About how long ramping `routes` takes, from their warm-ups: one that holds the loop or computes
// under the GIL most of its time alone serializes.
double ramp_estimate_s(const std::vector<RouteRun>& routes, int max_in_flight);

// How many ramped routes' measured ceiling is under `rps` (--fail-under: the doctor's exit 1).
int routes_under(const DoctorRun& run, double rps);

}  // namespace lab
