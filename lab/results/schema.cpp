#include "lab/results/schema.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "lab/report/figures.hpp"
#include "lab/report/load_summary.hpp"
#include "lab/report/report.hpp"
#include "lab/results/derived_keys.hpp"
#include "lab/run/sweep.hpp"

namespace lab {
namespace {

using nlohmann::json;

// The range a number may take when it is read back; anything outside is a damaged file.
struct Bound {
    double low = -std::numeric_limits<double>::max(), high = std::numeric_limits<double>::max();
};
constexpr Bound natural{0, 1e12}, count_bound{1, 1e6}, ms_bound{0, 600'000}, pid_bound{-1, 1e12};

// ---- the lists: every key of summary.json, once --------------------------------------------
// Each takes the visitor and the object (const when writing); `v(key, member, bound)`.

template <class V, class L>
void fields(V& v, L& l) {  // Load
    v("requests", l.requests, count_bound);
    v("concurrency", l.concurrency, Bound{1, 10'000});
    v("path", l.path);
    v("method", l.method);
    v("delay_ms", l.delay_ms, ms_bound);
    v("repeat", l.repeat, Bound{1, 100});
    v("warmup", l.warmup);
    v("report_memory", l.report_memory);
    v("rate", l.rate, Bound{0, 100'000});
    v("duration_ms", l.duration_ms, ms_bound);
    v("stall_ms", l.stall_ms, ms_bound);
    v("stall_at_ms", l.stall_at_ms, ms_bound);
    v("stagger_ms", l.stagger_ms, Bound{0, 1000});
    v("probe_path", l.probe_path);
    v("probe_every_ms", l.probe_every_ms, Bound{1, 10'000});
    v("probe_after_ms", l.probe_after_ms, Bound{0, 60'000});
    v("more_paths", l.more_paths);
    v("weights", l.weights, Bound{1, 100});
    v("headers", l.headers);
    v("body", l.body);
    v("keep_alive", l.keep_alive);
    v("client_threads", l.client_threads, Bound{1, 64});
    v("run_for_ms", l.run_for_ms, ms_bound);
    v("timeout_ms", l.timeout_ms, Bound{1, 600'000});
}

template <class V, class C>
void configuration_fields(V& v, C& c) {
    v("label", c.label);
    v("mode", c.mode);
    v("server", c.server);
    v("fastapi_variant", c.fastapi_variant);
    v("fastapi_server", c.fastapi_server);
    v("fastapi_loop", c.fastapi_loop);
    v("host", c.host);
    v("port", c.port, Bound{0, 65535});
    v("app", c.app);
    v("target_path", c.target_path);
    v("threads", c.threads, Bound{1, 10'000});
    v("workers", c.workers, Bound{1, 64});
    v("balance", c.balance);
    v("worker_mode", c.worker_mode);
    v("gil", c.gil);
    v("db_pool", c.db_pool, Bound{1, 100});
    v("queue_workers", c.queue_workers, Bound{0, 64});
    v("hosts", c.hosts, Bound{0, 16});
    v("upstream", c.upstream);
    v("client", c.client);
    v("requests", c.requests, count_bound);  // null: the load's
    v("concurrency", c.concurrency, Bound{1, 10'000});  // null: the load's
    v("delay_ms", c.delay_ms, ms_bound);  // null: the load's
    v("sweep_value", c.sweep_value, Bound{0, 60'000});  // null: not a sweep's point
    v("sweep_home", c.sweep_home, Bound{0, 60'000});
    v("series", c.series);
    v("document_s", c.document_s, Bound{0, 1e6});
    v("document_text", c.document_text);
    v("number", c.number, Bound{0, 10'000});
}

template <class V, class E>
void expectation_fields(V& v, E& e) {  // a claim of the text, as scenarios/README.md describes it
    v("row", e.row, Bound{1, 10'000});
    v("figure", e.figure);
    v("at_least", e.at_least, Bound{-1e12, 1e12});
    v("at_most", e.at_most, Bound{-1e12, 1e12});
    v("relative_to", e.relative_to);
    v("relative_row", e.relative_row, Bound{0, 10'000});
    v("claim", e.claim);
    v("meaning", e.meaning);
    v("at", e.at, Bound{0, 60'000});
    v("at_option", e.at_option);
    v("not_here", e.not_here);
}

template <class V, class S>
void sweep_fields(V& v, S& sweep) {  // a sweep: the option and the values it was measured at
    v("option", sweep.option);
    v("values", sweep.values, Bound{0, 60'000});
}

template <class V, class M>
void model_fields(V& v, M& m) {
    v("at_once", m.at_once, natural);
    v("client_at_once", m.client_at_once, natural);
    v("shared_cores", m.shared_cores, natural);
    v("formula", m.formula);
}

template <class V, class B>
void batch_fields(V& v, B& b) {
    v("number", b.number, Bound{0, 100});
    v("loop_blocked_ms", b.loop_blocked_ms, Bound{-1, 1e9});
    v("max_computing_at_once", b.max_computing, Bound{-1, 1e6});
    v("harness_slip_us", b.harness_slip_us, Bound{0, 1e12});
    v("unfinished", b.unfinished, Bound{0, 1e6});
    v("not_recorded", b.not_recorded, Bound{0, 1e12});
}

template <class V, class R>
void result_fields(V& v, R& r) {  // a configuration's own keys besides its Configuration
    v.object("model", r.model, [](auto& w, auto& m) { model_fields(w, m); });
    v("model_s", r.model_s, Bound{0, 1e9});
    v("verdict", r.verdict);
    v("error", r.error);
    v("peak_rss_kib", r.peak_rss_kib, pid_bound);
    v("pss_kib", r.pss_kib, pid_bound);
}

// ---- writing -------------------------------------------------------------------------------

struct Writer {
    json& out;
    template <class T>
    void operator()(const char* key, const T& value, Bound = {}) {
        if constexpr (std::is_same_v<T, std::optional<int>> || std::is_same_v<T, std::optional<double>>)
            out[key] = value ? json(*value) : json();
        else if constexpr (Named<T>)
            out[key] = name_of(value);
        else
            out[key] = value;
    }
    template <class T, class List>
    void object(const char* key, const T& value, List list) {
        json inner = json::object();
        Writer w{inner};
        list(w, value);
        out[key] = std::move(inner);
    }
};

// ---- reading: the same lists, each value checked ---------------------------------------------

std::string shown(const json& j) { return j.dump().substr(0, 60); }

std::string joined(const std::vector<std::string>& words) {
    std::string list;
    for (const std::string& word : words) list += (list.empty() ? "" : ", ") + word;
    return list;
}

struct Reader {
    const json& in;
    std::string path;  // "configurations[1]." before each key

    [[noreturn]] void fail(const char* key, const std::string& reason) const {
        throw SchemaError(path + key + ": " + reason);
    }
    template <class T>
    void operator()(const char* key, T& value, Bound bound = {}) const {
        auto it = in.find(key);
        if (it == in.end()) return;  // absent: the default (files from before the key existed)
        read(key, *it, value, bound);
    }
    template <class T, class List>
    void object(const char* key, T& value, List list) const {
        auto it = in.find(key);
        if (it == in.end()) return;
        if (!it->is_object()) fail(key, "must be an object, got " + shown(*it));
        Reader inner{*it, path + key + "."};
        list(inner, value);
    }

private:
    void check_range(const char* key, const json& j, double x, Bound b) const {
        if (!std::isfinite(x) || x < b.low || x > b.high) {
            fail(key, fmt::format("must be from {:g} to {:g}, got ", b.low, b.high) + shown(j));
        }
    }
    template <class T>
    void read(const char* key, const json& j, T& value, Bound b) const {
        if constexpr (std::is_same_v<T, bool>) {
            if (!j.is_boolean()) fail(key, "must be true or false, got " + shown(j));
            value = j.get<bool>();
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!j.is_string()) fail(key, "must be a string, got " + shown(j));
            value = j.get<std::string>();
        } else if constexpr (Named<T>) {  // one of an enum's words (lab/named.hpp)
            std::string word;
            read(key, j, word, b);
            auto known = named<T>(word);
            if (!known) fail(key, "'" + word.substr(0, 40) + "' is not one of: " + joined(all_names<T>()));
            value = *known;
        } else if constexpr (std::is_integral_v<T>) {
            if (!j.is_number_integer()) fail(key, "must be a whole number, got " + shown(j));
            double x = j.is_number_unsigned() ? static_cast<double>(j.get<std::uint64_t>()) : static_cast<double>(j.get<std::int64_t>());
            check_range(key, j, x, b);
            value = static_cast<T>(j.get<std::int64_t>());
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!j.is_number()) fail(key, "must be a number, got " + shown(j));
            check_range(key, j, j.get<double>(), b);
            value = j.get<double>();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            if (!j.is_array() || j.size() > 100) fail(key, "must be a list of at most 100 strings, got " + shown(j));
            value.clear();
            for (const json& each : j) {
                std::string one;
                read(key, each, one, b);
                value.push_back(one);
            }
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
            if (!j.is_array() || j.size() > 100) fail(key, "must be a list of at most 100 numbers, got " + shown(j));
            value.clear();
            for (const json& each : j) {
                int one = 0;
                read(key, each, one, b);
                value.push_back(one);
            }
        } else {  // std::optional<int|double>: null for "none"
            if (j.is_null()) {
                value.reset();
                return;
            }
            typename T::value_type inner{};
            read(key, j, inner, b);
            value = inner;
        }
    }
};

// The per-batch notes of a configuration as summary.json keeps them.
std::vector<StoredBatch> stored_batches(const ConfigurationResult& r) {
    std::vector<StoredBatch> notes;
    for (std::size_t i = 0; i < r.batches.size(); ++i) {
        StoredBatch b;
        b.number = r.batches[i].number;
        if (i < r.loop_blocked_ms.size()) b.loop_blocked_ms = r.loop_blocked_ms[i];
        if (i < r.max_computing.size()) b.max_computing = r.max_computing[i];
        if (i < r.open_loop.size()) b.harness_slip_us = r.open_loop[i].harness_slip_us;
        b.unfinished = r.batches[i].unfinished;
        b.not_recorded = r.batches[i].not_recorded;
        notes.push_back(b);
    }
    return notes;
}

// A results folder is shared (notebooks, a class's drive): it keeps the names of the headers a
// load sent, but never the value of one that may carry a credential (Authorization, Cookie,
// X-Api-Key, Private-Token, X-Vault-Token, a session id...).
std::vector<std::string> headers_to_keep(std::vector<std::string> headers) {
    static const char* secret[] = {"auth", "cookie", "key", "token", "secret", "session", "password", "credential"};
    for (std::string& header : headers) {
        std::string name = header.substr(0, header.find(':'));
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (std::any_of(std::begin(secret), std::end(secret), [&](const char* part) { return lower.find(part) != std::string::npos; }))
            header = name + ": (not kept)";
    }
    return headers;
}

}  // namespace

json summary_json(const RunResult& run) {
    const Scenario& s = run.scenario;
    Load stored = s.load;
    stored.headers = headers_to_keep(s.load.headers);
    json top = json::object();
    Writer w{top};
    w("scenario", s.name);
    w("kind", s.kind);
    w("title", s.title);
    w("source", s.source);
    w("teaching", s.teaching);
    w("key_figure", to_string(s.key_figure));
    w("cores", run.cores);
    w("run_s", run.run_s);
    w.object("load", stored, [](auto& v, auto& l) { fields(v, l); });
    json expect = json::array();
    for (const Expectation& e : s.expectations) {
        json one = json::object();
        Writer ew{one};
        expectation_fields(ew, e);
        expect.push_back(std::move(one));
    }
    top["expect"] = std::move(expect);
    w("model_tolerance", s.model_tolerance);
    w("model_tolerance_why", s.model_tolerance_why);
    if (s.sweep) w.object("sweep", *s.sweep, [](auto& v, auto& sw) { sweep_fields(v, sw); });
    else top["sweep"] = nullptr;
    top["physical_floor_s"] = physical_floor_s(s.load, run.cores);  // derived
    json configurations = json::array();
    for (const auto& r : run.configurations) {
        json c = json::object();
        Writer cw{c};
        configuration_fields(cw, r.configuration);
        result_fields(cw, r);
        json batches = json::array();
        auto notes = stored_batches(r);
        for (std::size_t i = 0; i < notes.size(); ++i) {
            json b = json::object();
            Writer bw{b};
            batch_fields(bw, notes[i]);
            if (i < r.stats.size()) b.update(derived_batch(r.batches[i], r.stats[i]));
            batches.push_back(std::move(b));
        }
        c["batches"] = std::move(batches);
        // Derived, for other tools:
        c["model_formula"] = r.model.formula;
        c["measured_s"] = {{"median", r.makespan.median}, {"min", r.makespan.min}, {"max", r.makespan.max}};
        c["median_batch"] = r.batches.empty() ? 0 : r.batches[r.median_batch].number;
        c["document_below_physical_floor"] = document_below_floor(r.configuration, load_of(s.load, r.configuration), run.cores);
        c["open_loop"] = r.open_loop.empty() ? json() : open_loop_json(open_loop_summary(r));
        configurations.push_back(std::move(c));
    }
    top["configurations"] = std::move(configurations);
    if (is_external_load(run)) top["load_summary"] = load_summary_json(run);  // derived: what `lab load` printed
    return top;
}

namespace {

// The lesson's own keys: its name, kind, words, load and key figure.
void read_lesson_keys(const Reader& top, RunResult& run) {
    Scenario& s = run.scenario;
    top("scenario", s.name);
    top("kind", s.kind);  // absent in folders written before it existed: a lesson, unless read as `lab load`'s
    top("title", s.title);
    top("source", s.source);
    top("teaching", s.teaching);
    top("cores", run.cores, Bound{1, 1e6});
    top("run_s", run.run_s, Bound{0, 1e6});  // absent in folders written before it existed
    top.object("load", s.load, [](auto& v, auto& l) { fields(v, l); });
    std::string figure = to_string(default_key_figure(s.load));
    top("key_figure", figure);  // absent in folders written before it existed
    if (auto known = key_figure_named(figure)) s.key_figure = *known;
    else top.fail("key_figure", "'" + figure.substr(0, 40) + "' is not a key figure the lab knows");
}

// The claims the run checked, and the sweep it measured, if any.
void read_claims_and_sweep(const json& summary, const Reader& top, Scenario& s) {
    if (auto expect = summary.find("expect"); expect != summary.end()) {
        if (!expect->is_array()) top.fail("expect", "must be a list");
        for (std::size_t k = 0; k < expect->size(); ++k) {
            if (!(*expect)[k].is_object()) top.fail("expect", "must be a list of objects");
            Reader er{(*expect)[k], "expect[" + std::to_string(k) + "]."};
            Expectation e;
            expectation_fields(er, e);
            if (!find_figure(e.figure)) er.fail("figure", "'" + e.figure.substr(0, 40) + "' is not a figure the lab measures");
            s.expectations.push_back(std::move(e));
        }
    }
    top("model_tolerance", s.model_tolerance, Bound{0, 100});
    top("model_tolerance_why", s.model_tolerance_why);
    if (auto sweep = summary.find("sweep"); sweep != summary.end() && !sweep->is_null()) {
        Sweep read_back;
        top.object("sweep", read_back, [](auto& v, auto& sw) { sweep_fields(v, sw); });
        if (auto problem = sweep_problem(read_back)) top.fail("sweep", *problem);
        if (!std::is_sorted(read_back.values.begin(), read_back.values.end())) top.fail("sweep", "values must ascend, as a run writes them");
        s.sweep = read_back;
    }
}

// One configuration: its keys, its result's, and its batches' notes.
void read_configuration_entry(const json& entry, std::size_t i, StoredRun& stored) {
    std::string where = "configurations[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw SchemaError(where + ": must be an object");
    const std::optional<Sweep>& sweep = stored.run.scenario.sweep;
    Reader c{entry, where + "."};
    ConfigurationResult r;
    configuration_fields(c, r.configuration);
    result_fields(c, r);
    if (auto v = r.configuration.sweep_value;
        v && (!sweep || std::find(sweep->values.begin(), sweep->values.end(), *v) == sweep->values.end()))
        c.fail("sweep_value", std::to_string(*v) + " is not one of sweep.values");
    std::vector<StoredBatch> notes;
    if (auto b = entry.find("batches"); b != entry.end()) {
        if (!b->is_array()) c.fail("batches", "must be a list");
        for (std::size_t k = 0; k < b->size(); ++k) {
            if (!(*b)[k].is_object()) c.fail("batches", "must be a list of objects");
            Reader br{(*b)[k], where + ".batches[" + std::to_string(k) + "]."};
            StoredBatch note;
            batch_fields(br, note);
            notes.push_back(note);
        }
    }
    int median = 0;
    c("median_batch", median, Bound{0, 100});
    stored.run.configurations.push_back(std::move(r));
    stored.batches.push_back(std::move(notes));
    stored.median_batch.push_back(median);
}

}  // namespace

StoredRun run_from_summary(const json& summary) {
    if (!summary.is_object()) throw SchemaError("the file must hold one JSON object");
    StoredRun stored;
    Reader top{summary, ""};
    for (const char* required : {"scenario", "load", "configurations"})
        if (!summary.contains(required)) top.fail(required, "missing");
    read_lesson_keys(top, stored.run);
    read_claims_and_sweep(summary, top, stored.run.scenario);
    const json& list = summary["configurations"];
    if (!list.is_array() || list.empty()) top.fail("configurations", "must be a list of at least one configuration");
    for (std::size_t i = 0; i < list.size(); ++i) read_configuration_entry(list[i], i, stored);
    bool all_external = std::all_of(stored.run.configurations.begin(), stored.run.configurations.end(),
                                    [](const ConfigurationResult& r) { return r.configuration.server == Server::external; });
    if (!summary.contains("kind") && all_external) stored.run.scenario.kind = RunKind::load;  // (older folders said so by their servers)
    return stored;
}

}  // namespace lab
