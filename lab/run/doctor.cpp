#include "lab/run/doctor.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/raw_client.hpp"
#include "lab/layout.hpp"
#include "lab/run/configuration_processes.hpp"
#include "lab/services/private_postgres.hpp"
#include "lab/services/private_redis.hpp"

namespace lab {
namespace {

constexpr auto bystander_every = std::chrono::milliseconds(10);
constexpr auto bystander_after = std::chrono::milliseconds(300);
constexpr auto burst_deadline = std::chrono::seconds(60);  // a route that never answers is cut off here

double number(const nlohmann::json& j, const char* key, double otherwise) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : otherwise;
}

// "app/vendor_sdk.py:7 exchange_rate → time.sleep", from the probe's {file, line, function, call}.
std::string where_of(const nlohmann::json& w) {
    if (!w.is_object()) return "";
    std::string file = w.value("file", ""), function = w.value("function", ""), call = w.value("call", "");
    if (file.empty()) return "";
    return fmt::format("{}:{} {}{}", file, w.value("line", 0), function, call.empty() ? "" : " → " + call);
}

// The probe's answer to `path` as JSON; throws when there is none (the app stopped).
nlohmann::json probe_json(const LoadSpec& at, const std::string& path) {
    RawReply reply = send_raw(at.host, at.port, request_bytes(at, "GET", path), std::chrono::seconds(10));
    auto json = reply.status == 200 ? nlohmann::json::parse(reply.body, nullptr, false) : nlohmann::json();
    if (json.is_discarded() || json.is_null())
        throw std::runtime_error("the lab's probe did not answer " + path + (reply.error.empty() ? "" : ": " + reply.error));
    return json;
}

// The services an app reads (DATABASE_URL, REDIS_URL): the lab's private ones, kept for the run.
struct Services {
    std::unique_ptr<PrivatePostgres> postgres;
    std::unique_ptr<PrivateRedis> redis;
};

// The app under uvicorn in the lab's probe, as `lab run --app` starts it.
ConfigurationProcesses start_app(const DoctorSettings& settings, Services& services) {
    Configuration c;
    c.server = Server::app;
    c.app = settings.app.spec;
    c.app_dir = settings.app.dir;
    RunSettings run;
    if (settings.with_services) {
        services.postgres = std::make_unique<PrivatePostgres>();
        services.redis = std::make_unique<PrivateRedis>();
        run.database_url = services.postgres->url();
        run.redis_url = services.redis->url();
    }
    // The probe names a hold's line once it passes the doctor's threshold (app_probe.py reads it).
    ::setenv("LAB_HOLD_MS", fmt::format("{}", settings.hold_ms).c_str(), 1);
    try {
        return start_processes(c, run);
    } catch (const std::runtime_error& e) {  // the app's fault (it never answered, it died): bad input
        throw AppWontStart(e.what());
    }
}

LoadSpec spec_for(const ConfigurationProcesses& app, const PlannedRequest& p, int requests) {
    LoadSpec spec;
    spec.host = app.host;
    spec.port = app.port;
    spec.method = p.route.method;
    spec.target = p.target;
    spec.body = p.body;
    if (!p.body.empty()) spec.headers = {"Content-Type: application/json"};
    spec.requests = spec.concurrency = requests;
    spec.probe_target = "/__lab/health";
    spec.probe_every = bystander_every;
    spec.probe_after = bystander_after;  // (a background task holds the loop after the answers)
    spec.deadline = burst_deadline;
    return spec;
}

// The first line of an answer's body, at most 120 characters (a 500's "Internal Server Error").
std::string first_line(const std::string& body) {
    std::string line = body.substr(0, body.find('\n'));
    return line.size() > 120 ? line.substr(0, 120) + "…" : line;
}

// One route: a warm-up (a 4xx/5xx answer is reported, and the route not judged), then the burst.
RouteRun examine(const ConfigurationProcesses& app, const PlannedRequest& p, int requests) {
    RouteRun run;
    run.request = p;
    LoadSpec spec = spec_for(app, p, requests);
    RawReply warm = send_raw(spec.host, spec.port, request_bytes(spec, spec.method, spec.target, true), std::chrono::seconds(30));
    run.warm_status = warm.status;
    if (!run.judged()) {
        run.warm_said = warm.status ? fmt::format("answered {}: {}", warm.status, first_line(warm.body))
                                    : "no answer: " + (warm.error.empty() ? std::string("the connection closed") : warm.error);
        return run;
    }
    probe_json(spec, "/__lab/requests?reset=1");
    run.burst = run_concurrent_batch(spec);
    run.records = records_from_json(probe_json(spec, "/__lab/requests?reset=1"));
    return run;
}

// All judged GET routes at once, one request of each in turn, N of each.
std::optional<MixedRun> mix(const ConfigurationProcesses& app, const std::vector<RouteRun>& routes, int requests) {
    MixedRun mixed;
    for (std::size_t i = 0; i < routes.size(); ++i)
        if (routes[i].judged() && routes[i].request.route.method == "GET" && routes[i].request.body.empty()) mixed.routes.push_back(i);
    if (mixed.routes.size() < 2) return std::nullopt;  // one route alone was its burst
    LoadSpec spec = spec_for(app, routes[mixed.routes.front()].request, requests * static_cast<int>(mixed.routes.size()));
    for (std::size_t i : mixed.routes) spec.mix.push_back({routes[i].request.target, 1});
    probe_json(spec, "/__lab/requests?reset=1");
    mixed.batch = run_concurrent_batch(spec);
    mixed.records = records_from_json(probe_json(spec, "/__lab/requests?reset=1"));
    return mixed;
}

}  // namespace

std::vector<ProbeRecord> records_from_json(const nlohmann::json& listed) {
    std::vector<ProbeRecord> records;
    auto list = listed.find("requests");
    if (list == listed.end() || !list->is_array()) return records;
    for (const nlohmann::json& r : *list) {
        if (!r.is_object()) continue;
        ProbeRecord p;
        p.method = r.value("method", "");
        p.target = r.value("target", "");
        p.route = r.value("route", "");
        p.status = r.value("status", 0);
        p.start_us = r.value("start_us", std::int64_t{-1});
        p.answered_us = r.value("answered_us", std::int64_t{-1});
        p.done_us = r.value("done_us", std::int64_t{-1});
        p.loop_ms = number(r, "loop_ms", 0);
        p.longest_hold_ms = number(r, "longest_hold_ms", 0);
        p.held_after_answer_ms = number(r, "held_after_answer_ms", 0);
        p.cpu_share = number(r, "cpu_share", -1);
        p.pool_ms = number(r, "pool_ms", 0);
        p.pool_cpu_ms = number(r, "pool_cpu_ms", 0);
        p.pool_wait_ms = number(r, "pool_wait_ms", 0);
        p.gil_wait_ms = number(r, "gil_wait_ms", 0);
        p.where = where_of(r.value("where", nlohmann::json()));
        if (auto spans = r.find("spans"); spans != r.end() && spans->is_array())
            for (const auto& s : *spans)
                if (s.is_array() && s.size() == 2 && s[0].is_number() && s[1].is_number())
                    p.spans.emplace_back(s[0].get<std::int64_t>(), s[1].get<std::int64_t>());
        records.push_back(std::move(p));
    }
    return records;
}

double doctor_estimate_s(std::size_t routes, int requests) {
    // Starting uvicorn and the app (~1 s, more with a lifespan), then each route's warm-up and a
    // burst of N that at worst takes N times a slow request's 100 ms, and the mixed phase.
    return 1.5 + static_cast<double>(routes) * (0.1 + 2 * requests * 0.1);
}

DoctorRun run_doctor(const DoctorSettings& settings) {
    auto started = std::chrono::steady_clock::now();
    DoctorRun run;
    run.app = settings.app.shown, run.app_spec = settings.app.spec, run.app_dir = settings.app.dir, run.hold_ms = settings.hold_ms, run.requests = settings.requests;
    Services services;
    ConfigurationProcesses app = start_app(settings, services);
    LoadSpec at = spec_for(app, PlannedRequest{}, 1);
    auto planned = plan_requests(routes_from_json(probe_json(at, "/__lab/routes")), settings.examples, settings.methods);
    auto say = [&](const std::string& line) { if (settings.progress) settings.progress(line); };
    auto sent = std::count_if(planned.begin(), planned.end(), [](const PlannedRequest& p) { return p.skipped.empty(); });
    say(fmt::format("{} of {} to call, then all at once: about {:.0f} s", sent, count_of(static_cast<long long>(planned.size()), "route"),
                    doctor_estimate_s(static_cast<std::size_t>(sent), settings.requests)));
    for (const PlannedRequest& p : planned) {
        if (settings.list_only || !p.skipped.empty()) {
            run.routes.emplace_back().request = p;
            continue;
        }
        say(fmt::format("{} {}: {} at once", p.route.method, p.target, settings.requests));
        run.routes.push_back(examine(app, p, settings.requests));
    }
    if (!settings.list_only) {
        say("all routes mixed");
        run.mixed = mix(app, run.routes, settings.requests);
    }
    if (app.server) run.server_log = app.server->log();
    app.stop();
    run.run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return run;
}

}  // namespace lab
