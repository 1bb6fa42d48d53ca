// Writing summary.json: every key of lab/results/summary_keys.hpp, and the derived ones beside.
#include "lab/results/schema.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <type_traits>

#include <boost/algorithm/string/predicate.hpp>

#include "lab/named.hpp"
#include "lab/figures/load_figures.hpp"
#include "lab/results/stored_tallies.hpp"
#include "lab/results/summary_keys.hpp"

namespace lab {
namespace {

using nlohmann::json;
using namespace summary_keys;

struct Writer {
    json& out;
    template <class T>
    void operator()(const char* key, const T& value, Bound = {}) {
        if constexpr (std::is_same_v<T, std::optional<int>> ||
                      std::is_same_v<T, std::optional<std::size_t>> ||
                      std::is_same_v<T, std::optional<double>>)
            out[key] = value ? json(*value) : json();
        else if constexpr (Named<T>) out[key] = name_of(value);
        else if constexpr (std::is_same_v<T, Verdict>) out[key] = value.text();  // its prose
        else out[key] = value;
    }
    // `value` as an object of the keys `list` walks.
    template <class T, class List>
    static json of(const T& value, List list) {
        json inner = json::object();
        Writer w{inner};
        list(w, value);
        return inner;
    }
    template <class T, class List>
    void object(const char* key, const T& value, List list) {
        out[key] = of(value, list);
    }
};

// A batch's figures: ok, failed, makespan_s, latency_s, throughput_rps, probes and the rest. The
// keys summary.json holds for other tools (notebooks, jq) and never reads back: each is recomputed
// from requests.csv when a folder is read.
json derived_batch(const BatchRecord& b) {
    const BatchStats& st = b.stats;
    std::vector<double> probe_s;
    for (const auto& p : b.probes)
        if (p.ok()) probe_s.push_back(static_cast<double>(p.latency_us()) / 1e6);
    json per_worker = json::object();
    for (auto [pid, n] : st.per_worker) per_worker[std::to_string(pid)] = n;
    const json latency = {{"min", st.latency_min_s}, {"p50", st.latency_p50_s},
                          {"p90", st.latency_p90_s}, {"p99", st.latency_p99_s},
                          {"max", st.latency_max_s}, {"mean", st.latency_mean_s}};
    return {
        {"ok", st.ok},
        {"failed", st.failed},
        {"makespan_s", st.makespan_s},
        {"latency_s", latency},
        {"throughput_rps", st.throughput_rps},
        {"effective_concurrency", st.effective_concurrency},
        {"max_in_service", st.max_in_service},
        {"probes", b.probes.size()},
        {"probe_latency_s", {{"p50", percentile(probe_s, 50)}, {"max", percentile(probe_s, 100)}}},
        {"requests_per_worker", per_worker}};
}

// An open loop's latencies from due and from send, and how its schedule held.
json open_loop_json(const OpenLoopLatencies& s) {
    auto percentiles = [](const Histogram& h) {
        return json{{"p50", h.percentile(50)}, {"p90", h.percentile(90)},
                    {"p99", h.percentile(99)}, {"p999", h.percentile(99.9)},
                    {"max", h.max()},          {"count", h.count()}};
    };
    return {{"from_due_us", percentiles(s.corrected)},
            {"from_send_us", percentiles(s.uncorrected)},
            {"late_for_connection", s.late_for_connection},
            {"harness_slip_us", s.harness_slip_us}};
}

// The figure a class guesses for this lesson (`lab run --predict`), as this configuration
// measured it: what an answer key prints beside the prediction sheet. Null: nothing to guess.
json guessed_figure_json(const RunResult& run, const ConfigurationResult& r) {
    const std::optional<Figure> figure = guessed_figure(run.scenario.key_figure);
    if (!figure || run.scenario.sweep) return nullptr;
    const std::optional<double> value = r.figure(*figure);
    return {{"name", name_of(*figure)},
            {"unit", info(*figure).unit},
            {"value", value ? json(*value) : json()}};
}

// A results folder is shared (notebooks, a class's drive): it keeps the names of the headers a
// load sent, and the values of those known to carry no credential only (Accept, Content-Type,
// User-Agent...): any other name may hide one no list foresees (X-Pass, X-CSRF, X-Otp), and any
// value may open with a scheme of RFC 9110's Authorization ("Bearer ...", "Basic ...").
bool may_carry_a_credential(const std::string& name, const std::string& value) {
    static const char* plain_names[] = {"accept",           "accept-charset",   "accept-encoding",
                                        "accept-language",  "cache-control",    "connection",
                                        "content-encoding", "content-language", "content-type",
                                        "pragma",           "user-agent",       "x-requested-with"};
    static const char* secret_schemes[] = {"bearer ", "basic "};
    auto is_name = [&](const char* plain) { return boost::iequals(name, plain); };
    auto opens_value = [&](const char* scheme) { return boost::istarts_with(value, scheme); };
    return std::none_of(std::begin(plain_names), std::end(plain_names), is_name) ||
           std::any_of(std::begin(secret_schemes), std::end(secret_schemes), opens_value);
}

// The headers as the folder keeps them: "Name: (not kept)" for each that may carry a credential.
std::vector<std::string> headers_to_keep(std::vector<std::string> headers) {
    for (std::string& header : headers) {
        const auto colon = header.find(':');
        const std::string name = header.substr(0, colon);
        const auto value_at = colon == std::string::npos
                                  ? std::string::npos
                                  : header.find_first_not_of(" \t", colon + 1);
        if (may_carry_a_credential(name,
                                   value_at == std::string::npos ? "" : header.substr(value_at)))
            header = name + ": (not kept)";
    }
    return headers;
}

// Each of `items` as an object of the keys `fields` lists.
template <class T, class Fields>
json objects_of(const std::vector<T>& items, Fields fields) {
    json list = json::array();
    for (const T& item : items) list.push_back(Writer::of(item, fields));
    return list;
}

}  // namespace

json summary_json(const RunResult& run) {
    const Scenario& s = run.scenario;
    Load stored = s.load;
    stored.flags.headers = headers_to_keep(s.load.flags.headers);
    json top = json::object();
    Writer w{top};
    run_fields(w, run, stored);
    w("key_figure", s.key_figure);
    top["expect"] = objects_of(s.expectations, [](auto& v, auto& e) { expectation_fields(v, e); });
    top["choices"] = objects_of(s.choices, [](auto& v, auto& c) { choice_fields(v, c); });
    if (s.sweep) w.object("sweep", *s.sweep, [](auto& v, auto& sw) { sweep_fields(v, sw); });
    else top["sweep"] = nullptr;
    top["physical_floor_s"] = run.physical_floor_s;  // derived
    json configurations = json::array();
    for (const auto& r : run.configurations) {
        json c = json::object();
        Writer cw{c};
        configuration_fields(cw, r.configuration);
        result_fields(cw, r);
        json batches = json::array();
        for (const BatchRecord& row : r.batches) {
            json b = Writer::of(row, [](auto& v, auto& x) { batch_fields(v, x); });
            // All it counted (else requests.csv holds every request)
            if (row.not_recorded > 0 && !row.tallies.empty())
                b["tallies"] = tallies_json(row.tallies);
            b.update(derived_batch(row));
            batches.push_back(std::move(b));
        }
        c["batches"] = std::move(batches);
        c["ramp"] = objects_of(r.ramp, [](auto& v, auto& step) { ramp_step_fields(v, step); });
        // Derived, for other tools:
        c["model_formula"] = r.model.formula;
        c["measured_s"] = {
            {"median", r.makespan.median}, {"min", r.makespan.min}, {"max", r.makespan.max}};
        c["median_batch"] = r.batches.empty() ? 0 : r.batches[r.median_batch].number;
        cw("knee_in_flight", knee_in_flight(r.ramp));  // (null: none, or no ramp)
        c["document_below_physical_floor"] = r.document_below_floor;
        c["open_loop"] =
            s.load.rate > 0 && !r.batches.empty() ? open_loop_json(r.open_loop) : json();
        c["guessed_figure"] = guessed_figure_json(run, r);
        configurations.push_back(std::move(c));
    }
    top["configurations"] = std::move(configurations);
    // Derived: what `lab load` printed
    if (is_external_load(run)) top["load_summary"] = load_summary_json(run);
    return top;
}

}  // namespace lab
