#pragma once
// `lab doctor APP`: the learner's whole app under the lab. It starts the app under uvicorn inside
// the lab's probe, reads its routes, and sends each route (GET and HEAD unless allowed more) a
// warm-up request, then a burst of N at once with a bystander asking the probe's /__lab/health
// every 10 ms; then all judged routes mixed. After each burst it asks the probe what each request
// cost the loop (GET /__lab/requests): the figures lab/doctor/judge.hpp judges.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/load_generator.hpp"
#include "lab/doctor/knee.hpp"
#include "lab/doctor/plan.hpp"
#include "lab/doctor/verdict.hpp"
#include "lab/run/your_app.hpp"

namespace lab {

// What the probe measured of one request, server-side (lab/reference/app_probe.py). ms; -1 unknown.
struct ProbeRecord {
    std::string method, target, route;
    int status = 0;
    std::int64_t start_us = -1, answered_us = -1, done_us = -1;  // CLOCK_MONOTONIC µs
    double loop_ms = 0;  // its own code's time on the loop, all its tasks' steps
    double longest_hold_ms = 0;  // its longest single step
    // Of its steps of 1 ms or more: the longest own time (less its time queued for a core) of
    // those whose queueing the probe read whole, and the longest of the others; -1: not sent.
    double longest_own_ms = -1, longest_unread_ms = -1;
    double held_after_answer_ms = 0;  // of which after its answer (a background task)
    double cpu_share = -1;  // of the longest hold: computing (≥ 0.5) or waiting
    double pool_ms = 0, pool_cpu_ms = 0, pool_wait_ms = 0;  // a `def` route's thread pool time
    double gil_wait_ms = 0, longest_gil_ms = 0;  // its steps' waits for the GIL (others
                                                 // computing), not in loop_ms; the longest
    std::string gil_wait_by;  // a request computing on a pool thread meanwhile: "GET /thumbnail"
    double pool_blocked_ms = 0;  // of pool_ms, asleep: neither computing nor queued for a core
    double gc_ms = 0;  // its steps' time in full collections (the process's): not in loop_ms
    // Its callbacks of 1 ms or more whose CPU the probe read: their time, the CPU in it, and the
    // time queued for a core (the machine's, not the request's).
    double measured_ms = 0, measured_cpu_ms = 0, queued_ms = 0;
    std::string where;  // the longest hold's line: "app/vendor_sdk.py:7 exchange_rate → time.sleep"
    std::string call;  // the call it was in: "time.sleep", or "computing"
    std::string owner, owner_name;  // whose code it was: "dependency", "current_user"
    std::string pool_owner, pool_function;  // the first run on AnyIO's pool: "dependency", "get_db"
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;  // its holds of 1 ms or more (µs)
};
// The probe's keys, kept by doctor.json as they are (but `where`, which the probe sends as an
// object of its parts: records_from_json reads it into where, call, owner and owner_name).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    ProbeRecord, method, target, route, status, start_us, answered_us, done_us, loop_ms,
    longest_hold_ms, longest_own_ms, longest_unread_ms, held_after_answer_ms, cpu_share, pool_ms,
    pool_cpu_ms, pool_wait_ms, gil_wait_ms, longest_gil_ms, gil_wait_by, pool_blocked_ms, gc_ms,
    measured_ms, measured_cpu_ms, queued_ms, where, call, owner, owner_name, pool_owner,
    pool_function, spans)
// What the probe's GET /__lab/requests lists: a key it left out (or sent as null) keeps its
// "none" value, never a guess; a record it could not have written is passed over.
std::vector<ProbeRecord> records_from_json(const nlohmann::json& listed);

// A route's one request before its burst: how long it took, and what it cost the loop and the
// pool (the probe's record; 0 without the probe). The remaining run's estimate comes from these.
struct WarmUp {
    double took_ms = 0, loop_ms = 0, pool_cpu_ms = 0;
    double longest_hold_ms = 0;  // its longest hold of the loop, and where (a first call's cost)
    std::string where;
    double serialized_ms() const;  // what N requests at once cannot overlap: N times this
};

struct RouteRun {
    PlannedRequest request;
    WarmUp warm;
    int warm_status = 0;  // the warm-up's answer; 0: none came
    std::string warm_said;  // a 4xx/5xx answer's first line, or why none came
    Batch burst;  // N at once, with the bystander's requests as probes
    std::vector<ProbeRecord> records;
    bool probed = true;  // false (--target): no records; judged by the bystander alone
    double bystander_alone_ms = -1;  // its median answer with nothing else sent
    RouteFigures figures;  // what its burst adds up to, and its verdict: judged once, at the end
    std::vector<RampStep> ramp;  // --ramp: its steps, by requests in flight (ramp.cpp)
    // Its warm-up held the loop and its burst did not: bursts sent again (at most 2) until one
    // held; `burst` is the last sent (first_call_or_intermittent, run.cpp)
    int repeats = 0;
    bool judged() const { return warm_status >= 200 && warm_status < 400; }
};

// What its burst adds up to and its verdict, a hold of `hold_ms` the loop held (the doctor's
// --fail-over): judged in judge.cpp, and read here too where a burst is sent again.
RouteFigures route_figures(const RouteRun& run, double hold_ms);

// "GET /price/1", its request (or its route, when none was made): the app's own text (a table
// cell, or wrapped: printable() shows it safely).
inline std::string request_named(const RouteRun& r) {
    return r.request.route.method + " " +
           (r.request.target.empty() ? r.request.route.path : r.request.target);
}

struct MixedRun {
    Batch batch;  // each request's `endpoint` is its route's place among the judged routes
    std::vector<std::size_t> routes;  // those places, into DoctorRun::routes
    std::vector<ProbeRecord> records;
};

// The mixed phase: every route that was judged (any method its burst sent), in the doctor's order,
// each asked as its burst asked it (method, body, and a JSON body's Content-Type).
std::vector<std::size_t> mixed_routes(const std::vector<RouteRun>& routes);
WeightedTarget mixed_target(const PlannedRequest& request);

// The doctor's defaults, each written once: a burst's requests (-n, and its top), and the hold of
// the loop that is named and fails the check (--fail-over).
inline constexpr int default_burst = 10, max_doctor_burst = 200;
inline constexpr double default_hold_ms = 20;
inline constexpr int default_max_in_flight = 200, most_in_flight = 1000;  // --ramp's top

struct DoctorSettings {
    AppSpec app;  // empty spec: a server already running (--target)
    std::string target_host;  // --target: no probe, client-side figures only
    std::uint16_t target_port = 0;
    std::string bystander = "/openapi.json";  // --target: what the bystander asks (--probe)
    int requests = default_burst;  // -n: each burst
    // A hold this long is named and fails the check (--fail-over)
    double hold_ms = default_hold_ms;
    std::set<std::string> methods;  // sent beside GET and HEAD
    Examples examples;
    bool with_services = false;  // DATABASE_URL, REDIS_URL: the lab's private ones
    bool list_only = false;  // --list: the routes and requests, nothing sent
    int max_in_flight = 0;  // --ramp: each route ramped up to this many in flight (0: no ramp)
    std::function<void(const std::string&)> progress;  // a line as each step begins; may be empty
};

struct DoctorRun {
    std::string app;  // as the user named it
    std::string app_spec, app_dir;  // as serve.py takes it (AppSpec)
    bool probed = true;  // false for --target: no loop figures, no lines, client-side verdicts only
    std::string bystander = "/__lab/health";
    double bystander_alone_ms = -1;  // --target: its median answer with nothing else sent
    double hold_ms = default_hold_ms;
    int requests = default_burst;
    int max_in_flight = 0;  // --ramp's top (0: not ramped)
    std::vector<RouteRun> routes;  // every route, with why not where not sent
    std::optional<MixedRun> mixed;
    double run_s = 0;
    double estimate_s = -1;  // the whole run, as the doctor said it after the warm-ups
    std::string server_log;  // what the app wrote to stderr (its warnings)
    // How the app ended mid-run ("" if it did not): the bursts done keep their verdicts
    std::string died;
};

struct ConfigurationProcesses;  // (lab/run/configuration_processes.hpp)

// The load that asks one planned request `requests` at once of the app (with the run's key, for
// the probe), a bystander asking `bystander` beside it (empty: none); and the probe's answer to
// `path` as JSON, which throws when there is none (the app stopped). The ramp's too.
LoadSpec spec_for(const ConfigurationProcesses& app, const PlannedRequest& p, int requests,
                  const std::string& bystander);
nlohmann::json probe_json(const LoadSpec& at, const std::string& path);

// The run's last phase, `--ramp` (ramp.cpp): each judged route ramped as lab/run/knee.hpp steps,
// up to --max-in-flight, a step lasting five times its latency alone (0.3 to 2 s) so that each of
// its requests goes round several times; with the probe, it counts the limiters meanwhile. Each
// judged route's steps go in its RouteRun; the time it will take is said first.
void ramp_routes(const ConfigurationProcesses& app, DoctorRun& run, int max_in_flight,
                 const std::function<void(const std::string&)>& say);
// About how long ramping `routes` takes, from their warm-ups: one that holds the loop or computes
// under the GIL most of its time alone serializes.
double ramp_estimate_s(const std::vector<RouteRun>& routes, int max_in_flight);
// How many ramped routes' measured ceiling is under `rps` (--fail-under: the doctor's exit 1).
int routes_under(const DoctorRun& run, double rps);

// Throws AppWontStart (your_app.hpp) when the app does not start; when it dies mid-run, `died`
// says how. Its routes are not judged yet (judge.hpp judges them).
DoctorRun run_doctor(const DoctorSettings& settings);

// Why the run failed though it ended, empty if it did not: a burst (or the mixed phase) of which
// more than half the requests got no answer at all (never connected, cut off), so what it says of
// the routes was never measured.
std::string mostly_unanswered(const DoctorRun& run);

// What run_doctor does once the app answers, step by step, and about how long: when every route
// answers promptly (before any is sent), or, once each was warmed up, from what each warm-up cost
// (a burst of N holding the loop d each takes N·d; a `def` route's CPU takes turns at the GIL).
struct DoctorPlan {
    // Each burst's bystander asks on this long past its last answer
    static constexpr int bystander_after_ms = 300;
    // One request alone to the app or its probe (a warm-up, a reset)
    static constexpr double exchange_s = 0.005;
    // A prompt request of a burst, under uvicorn and the probe
    static constexpr double answer_s = 0.002;
    static constexpr double stop_s = 0.5;  // uvicorn asked to stop, and the app's shutdown
    std::size_t warmups = 0, bursts = 0;  // a warm-up per route sent; a burst per route and the mix
    double requests = 0;  // in all the bursts
    double serialized_s = 0;  // what the warm-ups say the bursts cannot overlap
    double seconds() const;
};
DoctorPlan doctor_plan(std::size_t routes, int requests);
DoctorPlan doctor_plan(const std::vector<RouteRun>& warmed, int requests);

}  // namespace lab
