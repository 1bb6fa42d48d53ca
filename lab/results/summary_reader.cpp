// Reading summary.json back: the same lists of lab/results/summary_keys.hpp, each value checked
// for its type and range, a wrong one named by its key.
#include "lab/results/schema.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <type_traits>

#include <fmt/format.h>

#include "lab/live/guess_box.hpp"  // most_room_guesses
#include "lab/named.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/results/stored_tallies.hpp"
#include "lab/results/summary_keys.hpp"
#include "lab/scenario/sweep.hpp"

namespace lab {
namespace {

using nlohmann::json;
using namespace summary_keys;

std::string shown(const json& j) { return j.dump().substr(0, 60); }

template <class T>
constexpr bool is_list = false;
template <class T>
constexpr bool is_list<std::vector<T>> = true;

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
    void operator()(const char* key, Verdict& value, Bound = {}) const {  // its prose, as written
        std::string text = value.text();
        (*this)(key, text);
        value = Verdict::read(text);
    }
    template <class T, class List>
    void object(const char* key, T& value, List list) const {
        auto it = in.find(key);
        if (it == in.end()) return;
        if (!it->is_object()) fail(key, "must be an object, got " + shown(*it));
        Reader inner{*it, path + key + "."};
        list(inner, value);
    }
    // Each object of the list at `key` (absent: none), read by `each(reader)`.
    template <class Each>
    void objects(const char* key, Each each) const {
        auto it = in.find(key);
        if (it == in.end()) return;
        if (!it->is_array()) fail(key, "must be a list");
        for (std::size_t k = 0; k < it->size(); ++k) {
            if (!(*it)[k].is_object()) fail(key, "must be a list of objects");
            each(Reader{(*it)[k], path + key + "[" + std::to_string(k) + "]."});
        }
    }

private:
    void check_range(const char* key, const json& j, double x, Bound b) const {
        if (!std::isfinite(x) || x < b.low || x > b.high)
            fail(key, fmt::format("must be from {:g} to {:g}, got ", b.low, b.high) + shown(j));
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
            if (!known)
                fail(key, "'" + word.substr(0, 40) + "' is not one of: " +
                              fmt::format("{}", fmt::join(all_names<T>(), ", ")));
            value = *known;
        } else if constexpr (std::is_integral_v<T>) {
            if (!j.is_number_integer()) fail(key, "must be a whole number, got " + shown(j));
            double x = j.is_number_unsigned() ? static_cast<double>(j.get<std::uint64_t>())
                                              : static_cast<double>(j.get<std::int64_t>());
            check_range(key, j, x, b);
            value = static_cast<T>(j.get<std::int64_t>());
        } else if constexpr (std::is_floating_point_v<T>) {
            if (!j.is_number()) fail(key, "must be a number, got " + shown(j));
            check_range(key, j, j.get<double>(), b);
            value = j.get<double>();
        } else if constexpr (is_list<T>) {
            // (a room's guesses: at most 200; weights, targets and headers: at most 100)
            const std::size_t most =
                std::is_same_v<T, std::vector<double>> ? most_room_guesses : 100;
            const char* what = std::is_same_v<T, std::vector<std::string>> ? "strings" : "numbers";
            if (!j.is_array() || j.size() > most)
                fail(key,
                     fmt::format("must be a list of at most {} {}, got ", most, what) + shown(j));
            value.clear();
            for (const json& each : j) read(key, each, value.emplace_back(), b);
        } else if (j.is_null()) {  // std::optional<int|double>: null for "none"
            value.reset();
        } else {
            read(key, j, value.emplace(), b);
        }
    }
};

// One configuration: its keys, its result's, and its batches' notes.
void read_configuration_entry(const json& entry, std::size_t i, RunResult& run) {
    std::string where = "configurations[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw SchemaError(where + ": must be an object");
    const std::optional<Sweep>& sweep = run.scenario.sweep;
    Reader c{entry, where + "."};
    ConfigurationResult r;
    configuration_fields(c, r.configuration);
    result_fields(c, r);
    if (auto v = r.configuration.sweep_value;
        v && (!sweep || std::ranges::find(sweep->values, *v) == sweep->values.end()))
        c.fail("sweep_value", std::to_string(*v) + " is not one of sweep.values");
    c.objects("batches", [&](const Reader& b) {
        BatchRecord& note = r.batches.emplace_back();
        batch_fields(b, note);
        if (auto t = b.in.find("tallies"); t != b.in.end())
            note.tallies = tallies_from_json(*t, b.path + "tallies");
    });
    c.objects("ramp", [&](const Reader& s) { ramp_step_fields(s, r.ramp.emplace_back()); });
    int median = 0;  // (the batch's number: the index of the batch of that number)
    c("median_batch", median, Bound{0, 100});
    for (std::size_t k = 0; k < r.batches.size(); ++k)
        if (r.batches[k].number == median) r.median_batch = k;
    run.configurations.push_back(std::move(r));
}

}  // namespace

RunResult run_from_summary(const json& summary) {
    if (!summary.is_object()) throw SchemaError("the file must hold one JSON object");
    RunResult run;
    Scenario& s = run.scenario;
    Reader top{summary, ""};
    for (const char* required : {"scenario", "load", "configurations"})
        if (!summary.contains(required)) top.fail(required, "missing");
    run_fields(top, run, s.load);  // the lesson's name, kind, words and load
    s.key_figure = default_key_figure(s.load);
    top("key_figure", s.key_figure);  // absent in folders written before it existed
    // The claims the run checked, and the sweep it measured, if any.
    top.objects("expect",
                [&](const Reader& e) { expectation_fields(e, s.expectations.emplace_back()); });
    top.objects("choices", [&](const Reader& c) { choice_fields(c, s.choices.emplace_back()); });
    if (auto sweep = summary.find("sweep"); sweep != summary.end() && !sweep->is_null()) {
        Sweep read_back;
        top.object("sweep", read_back, [](auto& v, auto& sw) { sweep_fields(v, sw); });
        if (auto problem = sweep_problem(read_back)) top.fail("sweep", *problem);
        if (!std::ranges::is_sorted(read_back.values))
            top.fail("sweep", "values must ascend, as a run writes them");
        s.sweep = read_back;
    }
    const json& list = summary["configurations"];
    if (!list.is_array() || list.empty())
        top.fail("configurations", "must be a list of at least one configuration");
    for (std::size_t i = 0; i < list.size(); ++i) read_configuration_entry(list[i], i, run);
    if (!summary.contains("kind") &&
        std::ranges::all_of(run.configurations, [](const ConfigurationResult& r) {
            return r.configuration.server == Server::external;
        }))
        s.kind = RunKind::load;  // (older folders said so by their servers)
    return run;
}

}  // namespace lab
