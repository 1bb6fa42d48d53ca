// `lab doctor --format json` and `--format csv`: each route's request, verdict, owner, fix and the
// loop's figures, and the mixed phase's.
#include <ostream>
#include <sstream>

#include "lab/doctor/judge.hpp"
#include "lab/doctor/knee.hpp"
#include "lab/doctor/report.hpp"
#include "lab/results/csv.hpp"

namespace lab {

namespace {

// One route: its request, and its verdict and figures, or why it was not judged.
nlohmann::json route_json(const RouteRun& r) {
    const RouteFigures& f = r.figures;
    nlohmann::json j{{"method", r.request.route.method},
                     {"path", r.request.route.path},
                     {"endpoint", r.request.route.endpoint},
                     {"request", r.request.target},
                     {"judged", has_verdict(r)}};
    if (!has_verdict(r)) {
        j["why_not"] = why_not_judged(r);
        return j;
    }
    const VerdictWords words = verdict_words(f);
    j.update({{"verdict", verdict_text(f.verdict).said},
              {"said", words.verdict},
              {"owner", f.owner_name.empty() ? "" : owner_phrase(f.owner, f.owner_name)},
              {"lesson", words.lesson},
              {"fix", words.fix},
              {"cpu_share_measured", f.measured_cpu_share},
              {"queued_share", f.queued_share},
              {"pool_blocked_ms", f.pool_blocked_ms},
              {"makespan_s", f.makespan_s},
              {"p50_ms", f.p50_ms},
              {"p99_ms", f.p99_ms},
              {"loop_held_ms_median", f.held_ms},
              {"loop_held_ms_max", f.held_max_ms},
              {"longest_hold_ms", f.longest_said_ms()},
              {"where", f.where},
              {"cpu_share", f.cpu_share},
              {"held_after_answer_ms", f.after_answer_ms},
              {"pool_ms", f.pool_ms},
              {"pool_cpu_ms", f.pool_cpu_ms},
              {"pool_wait_ms", f.pool_wait_ms},
              {"gil_wait_ms", f.gil_wait_ms},
              {"longest_gil_ms", f.longest_gil_ms},
              {"longest_own_ms", longest_own_ms(f)},
              {"bursts", f.bursts},
              {"first_call_hold_ms", f.first_call_ms},
              {"first_call_where", f.first_call_where},
              {"bystander_worst_ms", f.bystander_worst_ms},
              {"over_threshold", holds_the_loop(f.verdict)}});
    nlohmann::json codes = nlohmann::json::object();
    for (auto [code, n] : f.statuses) codes[std::to_string(code)] = n;
    j["statuses"] = codes;
    j["answered_over_limit"] = f.over_limit;
    return j;
}

// --ramp: where the route bends (null: nowhere up to the top), why, and its ceiling (measured;
// the model's by Little's law beside it).
void add_capacity(nlohmann::json& j, const RouteRun& r, bool probed) {
    const Capacity c = capacity_of(r.ramp, r.figures, probed);
    j.update({{"knee_in_flight", c.knee ? nlohmann::json(*c.knee) : nlohmann::json()},
              {"knee_cause", c.cause},
              {"ceiling_rps", c.measured_rps},
              {"ceiling_model_rps", c.model_rps},
              {"p50_ms_at_1", c.p50_at_1_ms},
              {"p50_ms_at_knee", c.p50_at_knee_ms},
              {"ramp_steps", r.ramp.size()}});
}

}  // namespace

nlohmann::json doctor_json(const DoctorRun& run) {
    nlohmann::json routes = nlohmann::json::array();
    for (const RouteRun& r : run.routes) {
        routes.push_back(route_json(r));
        if (!r.ramp.empty()) add_capacity(routes.back(), r, run.probed);
    }
    nlohmann::json mixed = nlohmann::json::array();
    if (run.mixed)
        for (const MixedFigures& m : mixed_figures(*run.mixed, run.routes))
            mixed.push_back({{"route", run.routes[m.route].request.target},
                             {"p50_ms", m.p50_ms},
                             {"p99_ms", m.p99_ms},
                             {"loop_held_ms", m.held_ms},
                             {"others_waited_ms", m.others_waited_ms},
                             {"gil_wait_ms", m.gil_wait_ms},
                             {"gil_wait_by", m.gil_wait_by}});
    return {{"doctor",
             {{"app", run.app},
              {"requests", run.requests},
              {"max_in_flight", run.max_in_flight},
              {"hold_ms", run.hold_ms},
              {"run_s", run.run_s},
              {"died", run.died},
              {"estimate_s", run.estimate_s},
              {"routes_over", routes_over(run)},
              {"routes_failed", routes_failed(run)},
              {"routes", routes},
              {"mixed", mixed}}}};
}

void print_doctor_csv(std::ostream& out, const DoctorRun& run) {
    // The columns: doctor_json's keys, as the header names them (the ramp's 3 empty without --ramp)
    static const std::string header =
        "method,path,request,verdict,said,owner,fix,lesson,loop_held_ms_median,longest_hold_ms,"
        "where,pool_ms,pool_cpu_ms,bystander_worst_ms,knee_in_flight,knee_cause,ceiling_rps,"
        "why_not";
    out << header << '\n';
    const nlohmann::json all = doctor_json(run);  // (kept: the loop reads into it)
    for (const nlohmann::json& r : all["doctor"]["routes"]) {
        std::istringstream keys(header);
        for (std::string k, comma; std::getline(keys, k, ','); comma = ",") {
            auto v = r.find(k);
            out << comma
                << csv_field(v == r.end()     ? ""
                             : v->is_string() ? v->get<std::string>()
                                              : v->dump());
        }
        out << '\n';
    }
}

}  // namespace lab
