#include "lab/doctor/run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <cstdio>

#include <unistd.h>

#include <fmt/format.h>

#include "harness/raw_client.hpp"
#include "lab/layout.hpp"
#include "lab/bounded_json.hpp"
#include "lab/run_key.hpp"
#include "lab/run/configuration_processes.hpp"
#include "lab/run/server_account.hpp"
#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"

namespace lab {
namespace {

constexpr auto bystander_every = std::chrono::milliseconds(10);
constexpr auto bystander_after = std::chrono::milliseconds(DoctorPlan::bystander_after_ms);
// A route that never answers is cut off here
constexpr auto burst_deadline = std::chrono::seconds(60);

// The services an app reads (DATABASE_URL, REDIS_URL): the lab's private ones, kept for the run.
struct Services {
    std::unique_ptr<PrivatePostgres> postgres;
    std::unique_ptr<PrivateRedis> redis;
};

// The app under uvicorn in the lab's probe, as `lab run --app` starts it.
ConfigurationProcesses start_probed_app(const DoctorSettings& settings, Services& services) {
    Configuration c{.server = Server::app, .app = settings.app.spec, .app_dir = settings.app.dir};
    RunSettings run;
    if (settings.with_services) {
        services.postgres = std::make_unique<PrivatePostgres>();
        services.redis = std::make_unique<PrivateRedis>();
        run.database_url = services.postgres->url();
        run.redis_url = services.redis->url();
    }
    // The probe names a hold's line once it passes the doctor's threshold; --list reads the
    // routes only, and runs none of the app's start-up.
    run.app_options = {"--hold-ms", fmt::format("{}", settings.hold_ms)};
    if (settings.list_only) run.app_options.push_back("--no-lifespan");
    return start_processes(c, run);  // (AppWontStart: the app's fault, bad input)
}

// The first line of an answer's body, at most 120 characters (a 500's "Internal Server Error").
std::string first_line(const std::string& body) {
    std::string line = body.substr(0, body.find('\n'));
    return line.size() > 120 ? line.substr(0, 120) + "…" : line;
}

// One route's warm-up: its answer (a 4xx/5xx answer is reported, and the route not judged), how
// long it took, and with the probe what it cost the loop and the pool (the estimate's figures).
RouteRun warm_up(const ConfigurationProcesses& app, const PlannedRequest& p,
                 const std::string& bystander, bool probed) {
    RouteRun run;
    run.request = p, run.probed = probed;
    LoadSpec spec = spec_for(app, p, 1, bystander);
    auto began = std::chrono::steady_clock::now();
    RawReply warm = send_raw(spec.host, spec.port, request_bytes(spec, spec.mix.front()),
                             std::chrono::seconds(30));
    run.warm.took_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
    run.warm_status = warm.status;
    if (!run.judged())
        run.warm_said =
            warm.status ? fmt::format("answered {}: {}", warm.status, first_line(warm.body))
                        : "no answer: " + (warm.error.empty() ? std::string("the connection closed")
                                                              : warm.error);
    if (probed)  // its own record (one still running from the route before stays in the list)
        for (const ProbeRecord& r : records_from_json(probe_json(spec, "/__lab/requests?reset=1")))
            if (r.target == p.target) {
                run.warm.loop_ms = std::max(run.warm.loop_ms, r.loop_ms),
                run.warm.pool_cpu_ms = std::max(run.warm.pool_cpu_ms, r.pool_cpu_ms);
                if (r.longest_hold_ms > run.warm.longest_hold_ms)
                    run.warm.longest_hold_ms = r.longest_hold_ms, run.warm.where = r.where;
            }
    return run;
}

// A burst, and with the probe its records of the burst's requests (the list emptied before).
Batch probed_batch(const LoadSpec& spec, bool probed, std::vector<ProbeRecord>& records) {
    if (probed) probe_json(spec, "/__lab/requests?reset=1");
    Batch batch = run_concurrent_batch(spec);
    if (probed) records = records_from_json(probe_json(spec, "/__lab/requests?reset=1"));
    return batch;
}

// One burst is one sample: a route whose warm-up held the loop and none of whose burst's requests
// did is sent again, up to twice, until one holds it (a hold that comes and goes: a lock another
// thread holds most of the time), or none does (its first call's cost: a cache filled).
void first_call_or_intermittent(const ConfigurationProcesses& app, RouteRun& r,
                                const DoctorRun& run, const DoctorSettings& settings,
                                const std::function<void(const std::string&)>& say) {
    // Held as its verdict reads the burst: one request's time a busy machine stretched is not it
    auto held = [&] { return holds_the_loop(route_figures(r, run.hold_ms).verdict); };
    if (!r.probed || r.warm.longest_hold_ms < run.hold_ms || held()) return;
    for (r.repeats = 1; r.repeats <= 2; ++r.repeats) {
        say(fmt::format("{}: its warm-up held the loop and its burst did not: again",
                        request_named(r)));
        r.burst = probed_batch(spec_for(app, r.request, settings.requests, run.bystander), true,
                               r.records);
        if (held()) return;
    }
    r.repeats = 2;
}

// All judged routes at once, one request of each in turn, N of each; each asked as its burst was.
std::optional<MixedRun> mix(const ConfigurationProcesses& app, const std::vector<RouteRun>& routes,
                            int requests, const DoctorRun& run) {
    MixedRun mixed;
    mixed.routes = mixed_routes(routes);
    if (mixed.routes.size() < 2) return std::nullopt;  // one route alone was its burst
    LoadSpec spec = spec_for(app, routes[mixed.routes.front()].request,
                             requests * static_cast<int>(mixed.routes.size()), run.bystander);
    spec.mix.clear();
    for (std::size_t i : mixed.routes) spec.mix.push_back(mixed_target(routes[i].request));
    mixed.batch = probed_batch(spec, run.probed, mixed.records);
    return mixed;
}

// --target: the routes a running server declares (FastAPI's GET /openapi.json, read by the same
// code as the probe's /__lab/routes: app_routes.py), else those --examples names.
std::vector<AppRoute> declared_routes(const LoadSpec& at, const Examples& examples) {
    RawReply schema = send_raw(at.host, at.port, request_bytes(at, "GET", "/openapi.json"),
                               std::chrono::seconds(10));
    if (schema.status == 200 && !schema.error.empty())
        throw std::invalid_argument("--target: its /openapi.json " + schema.error +
                                    ": name its routes in --examples");
    bool too_deep = false;
    if (schema.status == 200 && !parse_bounded_json(schema.body, &too_deep).is_discarded()) {
        char name[] = "/tmp/lab-openapi-XXXXXX";
        int fd = ::mkstemp(name);
        if (fd < 0)
            throw std::runtime_error(
                "cannot write a temporary file for the server's /openapi.json");
        std::FILE* file = ::fdopen(fd, "w");
        std::fwrite(schema.body.data(), 1, schema.body.size(), file);
        std::fclose(file);
        struct Gone {
            const char* name;
            ~Gone() { ::unlink(name); }
        } gone{name};
        ServerProcess reader({python, reference_script("app_routes.py"), "--openapi", name},
                             std::chrono::seconds(30), ServerProcess::Ready::first_line);
        return routes_from_json(nlohmann::json::parse(reader.ready_line(), nullptr, false));
    }
    if (too_deep)
        throw std::invalid_argument(
            fmt::format("--target: its /openapi.json nests deeper than the {} levels the lab reads "
                        "(a schema nests a few dozen): name its routes in --examples",
                        most_json_depth));
    std::vector<AppRoute> named;
    for (const auto& [key, example] : examples) {
        AppRoute r;
        r.method = key.substr(0, key.find(' ')), r.path = key.substr(key.find(' ') + 1);
        for (const auto& [param, value] : example.path)
            r.params.push_back({param, "path", "string", true, nullptr});
        named.push_back(std::move(r));
    }
    if (named.empty())
        throw std::invalid_argument(
            "--target: the server answers no /openapi.json (FastAPI's), so its routes are unknown: "
            "name them in --examples");
    return named;
}

// The bystander's median answer with nothing else sent: what "kept waiting" is measured against.
double bystander_alone_ms(const LoadSpec& at, const std::string& bystander) {
    LoadSpec alone = at;
    alone.mix.clear(), alone.target = bystander;
    alone.requests = 20;
    Batch b = run_sequential_batch(alone);
    std::vector<double> ms;
    for (const RequestRecord& r : b.requests)
        if (r.ok()) ms.push_back(static_cast<double>(r.latency_us()) / 1e3);
    const auto over = std::find_if(b.requests.begin(), b.requests.end(), [](auto& r) {
        return r.error == ErrorKind::body_over_limit || r.error == ErrorKind::head_over_limit;
    });
    if (ms.empty() && over != b.requests.end())
        throw std::invalid_argument(fmt::format(
            "--target: the bystander's GET {} answered, over the {} KiB (body) and {} KiB (head) "
            "the lab reads of an answer: pass --probe PATH of a small answer",
            bystander, AnswerLimits{}.body >> 10, AnswerLimits{}.head >> 10));
    if (ms.empty())
        throw std::invalid_argument("--target: the bystander's GET " + bystander +
                                    " was not answered 2xx: pass --probe PATH");
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// The app under the probe, or the running server (--target) with its bystander's own time.
ConfigurationProcesses reach(const DoctorSettings& settings, Services& services, DoctorRun& run) {
    if (settings.app.spec.empty()) {
        ConfigurationProcesses target;
        target.host = settings.target_host, target.port = settings.target_port;
        run.probed = false, run.bystander = settings.bystander;
        run.bystander_alone_ms =
            bystander_alone_ms(spec_for(target, PlannedRequest{}, 1, run.bystander), run.bystander);
        return target;
    }
    return start_probed_app(settings, services);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Every route sent its warm-up first, then, with what the warm-ups cost said as the time left,
// each judged route's burst, then all of them mixed.
void examine_all(const ConfigurationProcesses& app, const std::vector<PlannedRequest>& planned,
                 const DoctorSettings& settings, DoctorRun& run,
                 const std::function<void(const std::string&)>& say,
                 std::chrono::steady_clock::time_point started) {
    auto sent = std::ranges::count(planned, "", &PlannedRequest::skipped);
    say(fmt::format("{} of {} to call: a warm-up request each first", sent,
                    count_of(static_cast<long long>(planned.size()), "route")));
    for (const PlannedRequest& p : planned) {
        if (p.skipped.empty()) run.routes.push_back(warm_up(app, p, run.bystander, run.probed));
        else run.routes.emplace_back().request = p;
        run.routes.back().bystander_alone_ms = run.bystander_alone_ms;
    }
    const double ramp_s =
        settings.max_in_flight > 0 ? ramp_estimate_s(run.routes, settings.max_in_flight) : 0;
    const double left_s = doctor_plan(run.routes, settings.requests).seconds() + ramp_s;
    run.estimate_s = seconds_since(started) + left_s;
    say(fmt::format("each route {} at once, then all at once{}: about {:.0f} s from now",
                    settings.requests, ramp_s > 0 ? ", then each ramped" : "", left_s));
    for (RouteRun& r : run.routes) {
        if (!r.judged()) continue;
        say(fmt::format("{}: {} at once", request_named(r), settings.requests));
        r.burst = probed_batch(spec_for(app, r.request, settings.requests, run.bystander), r.probed,
                               r.records);
        first_call_or_intermittent(app, r, run, settings, say);
    }
    say("all routes mixed");
    run.mixed = mix(app, run.routes, settings.requests, run);
    if (settings.max_in_flight > 0) ramp_routes(app, run, settings.max_in_flight, say);
}

// Runs `examine`; when it fails because the app is gone (the probe inside it answers nothing),
// `run.died` says so with the app's exit status ("exited with status 3", "was killed by signal
// 9"), and the routes whose bursts were done keep their verdicts.
template <class Examine>
void examine_until_the_app_dies(const ConfigurationProcesses& app, DoctorRun& run,
                                Examine examine) {
    try {
        examine();
    } catch (const std::runtime_error& e) {
        auto ended = app.server ? app.server->exited(std::chrono::seconds(1)) : std::nullopt;
        if (!ended) throw;
        run.died = "your app died during the run: its process " + *ended + " (so " + e.what() + ")";
        for (RouteRun& r : run.routes)
            if (r.judged() && r.records.empty())
                r.warm_status = 0, r.warm_said = "your app died before its burst ended";
    }
}

}  // namespace

nlohmann::json probe_json(const LoadSpec& at, const std::string& path) {
    std::string why;
    nlohmann::json json = stats_of(at, path, &why);
    if (json.empty())
        throw std::runtime_error("no account from the lab's probe at " + path +
                                 (why.empty() ? "" : ": " + why));
    return json;
}

LoadSpec spec_for(const ConfigurationProcesses& app, const PlannedRequest& p, int requests,
                  const std::string& bystander) {
    LoadSpec spec;
    spec.host = app.host;
    spec.port = app.port;
    if (app.server) spec.run_key = own_run_key();  // the probe's (never a --target's)
    spec.mix = {mixed_target(p)};  // (asked as the mixed phase asks it)
    spec.requests = spec.concurrency = requests;
    spec.probe_target = bystander;
    spec.probe_every = bystander_every;
    spec.probe_after = bystander_after;  // (a background task holds the loop after the answers)
    spec.deadline = burst_deadline;
    return spec;
}

std::vector<std::size_t> mixed_routes(const std::vector<RouteRun>& routes) {
    std::vector<std::size_t> judged;
    for (std::size_t i = 0; i < routes.size(); ++i)
        if (routes[i].judged()) judged.push_back(i);
    return judged;
}

WeightedTarget mixed_target(const PlannedRequest& p) {
    WeightedTarget t{.target = p.target,
                     .weight = 1,
                     .method = p.route.method,
                     .body = p.body,
                     .headers = p.headers};
    if (!p.body.empty() && !has_content_type(p.headers))
        t.headers.push_back("Content-Type: application/json");
    return t;
}

std::string mostly_unanswered(const DoctorRun& run) {
    std::string said;
    auto add = [&](const std::string& one) {
        if (!one.empty()) said += (said.empty() ? "" : "; ") + one;
    };
    for (const RouteRun& r : run.routes)
        if (r.judged()) add(mostly_unanswered(r.burst, request_named(r)));
    if (run.mixed) add(mostly_unanswered(run.mixed->batch, "the mixed phase"));
    return said;
}

DoctorRun run_doctor(const DoctorSettings& settings) {
    auto started = std::chrono::steady_clock::now();
    DoctorRun run;
    run.app = settings.app.spec.empty()
                  ? settings.target_host + ":" + std::to_string(settings.target_port)
                  : settings.app.shown;
    run.app_spec = settings.app.spec, run.app_dir = settings.app.dir,
    run.hold_ms = settings.hold_ms, run.requests = settings.requests;
    run.max_in_flight = settings.max_in_flight;
    Services services;
    ConfigurationProcesses app = reach(settings, services, run);
    LoadSpec at = spec_for(app, PlannedRequest{}, 1, run.bystander);
    auto routes = run.probed ? routes_from_json(probe_json(at, "/__lab/routes"))
                             : declared_routes(at, settings.examples);
    auto planned = plan_requests(routes, settings.examples, settings.methods);
    auto say = [&](const std::string& line) {
        if (settings.progress) settings.progress(line);
    };
    if (!settings.list_only)
        examine_until_the_app_dies(app, run,
                                   [&] { examine_all(app, planned, settings, run, say, started); });
    else
        for (const PlannedRequest& p : planned)
            run.routes.emplace_back().request = p, run.routes.back().warm_said = "listed (--list)";
    app.stop();
    if (app.server) {  // its log, with what the app had left running and was stopped with it
        run.server_log = app.server->log();
        if (std::string left = leftovers_stopped(*app.server); !left.empty()) say(left);
    }
    run.run_s = seconds_since(started);
    return run;
}

}  // namespace lab
