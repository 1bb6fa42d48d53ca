#include "lab/run/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include <toml++/toml.h>

#include "harness/open_loop.hpp"
#include "lab/modes/modes.hpp"
#include "lab/run/server_process.hpp"

namespace lab {
namespace fs = std::filesystem;

ScenarioError::ScenarioError(const fs::path& f, const std::string& k, const std::string& r)
    : std::runtime_error(f.string() + ": " + k + ": " + r), file(f.string()), key(k), reason(r) {}

namespace {

// Reads one table's keys, each checked for type and range, and refuses keys it does not know.
class Reader {
public:
    Reader(const fs::path& file, const toml::table& table, std::string prefix)
        : file_(file), table_(table), prefix_(std::move(prefix)) {}

    void text(const char* key, std::string& out, bool required = false,
              std::set<std::string> allowed = {}) {
        const toml::node* node = take(key, required);
        if (!node) return;
        auto value = node->value<std::string>();
        if (!value) fail(key, "must be a string");
        if (!allowed.empty() && !allowed.count(*value)) {
            std::string list;
            for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
            fail(key, "'" + *value + "' is not one of: " + list);
        }
        out = *value;
    }

    void integer(const char* key, int& out, long low, long high) {
        const toml::node* node = take(key, false);
        if (!node) return;
        auto value = node->value_exact<std::int64_t>();
        if (!value) fail(key, "must be a whole number");
        if (*value < low || *value > high)
            fail(key, "must be between " + std::to_string(low) + " and " + std::to_string(high) +
                          ", got " + std::to_string(*value));
        out = static_cast<int>(*value);
    }

    void boolean(const char* key, bool& out) {
        const toml::node* node = take(key, false);
        if (!node) return;
        auto value = node->value_exact<bool>();
        if (!value) fail(key, "must be true or false");
        out = *value;
    }

    void number(const char* key, double& out, double low, double high) {
        const toml::node* node = take(key, false);
        if (!node) return;
        auto value = node->value<double>();
        if (!value || !std::isfinite(*value) || *value < low || *value > high)  // (nan compares false)
            fail(key, "must be a number between " + std::to_string(low) + " and " + std::to_string(high));
        out = *value;
    }

    void seconds(const char* key, std::optional<double>& out) {
        const toml::node* node = take(key, false);
        if (!node) return;
        auto value = node->value<double>();  // accepts integers too
        if (!value || !std::isfinite(*value) || *value <= 0) fail(key, "must be a positive, finite number of seconds");
        out = *value;
    }

    void finish() const {
        for (const auto& [key, node] : table_)
            if (!seen_.count(std::string(key.str())))
                fail(std::string(key.str()), "unknown key (a typo?)");
    }

    void seen(const char* key) { seen_.insert(key); }  // read elsewhere, not unknown

    [[noreturn]] void fail(const std::string& key, const std::string& reason) const {
        throw ScenarioError(file_, prefix_ + key, reason);
    }

private:
    const toml::node* take(const char* key, bool required) {
        seen_.insert(key);
        const toml::node* node = table_.get(key);
        if (!node && required) fail(key, "is required");
        return node;
    }

    const fs::path& file_;
    const toml::table& table_;
    std::string prefix_;
    std::set<std::string> seen_;
};

std::set<std::string> known_modes(bool worker_modes_only) {
    auto names = mode_names(worker_modes_only);
    return {names.begin(), names.end()};
}

}  // namespace

Scenario load_scenario(const fs::path& file) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        throw ScenarioError(file, "line " + std::to_string(at.line) + ", column " + std::to_string(at.column),
                            std::string(e.description()));
    }
    Scenario s;
    s.file = file;
    Reader top(file, root, "");
    top.text("name", s.name, true);
    top.text("title", s.title, true);
    top.text("source", s.source, true);
    top.text("teaching", s.teaching, true);
    if (s.name != file.stem().string())
        top.fail("name", "'" + s.name + "' must match the file name '" + file.stem().string() + "'");

    const toml::node* load = root.get("load");
    if (load && !load->is_table()) top.fail("load", "must be a table");
    if (load) {
        Reader r(file, *load->as_table(), "load.");
        r.integer("requests", s.load.requests, 1, 10'000);
        r.integer("concurrency", s.load.concurrency, 1, 10'000);
        r.text("path", s.load.path, false, {"/delay", "/cpu"});
        r.text("method", s.load.method, false, {"GET", "POST"});
        r.integer("delay_ms", s.load.delay_ms, 0, 60'000);
        r.integer("repeat", s.load.repeat, 1, 100);
        r.boolean("warmup", s.load.warmup);
        r.boolean("report_memory", s.load.report_memory);
        r.number("rate", s.load.rate, 0, 100'000);
        r.integer("duration_ms", s.load.duration_ms, 100, 600'000);
        r.integer("stall_ms", s.load.stall_ms, 0, 60'000);
        r.integer("stall_at_ms", s.load.stall_at_ms, 0, 600'000);
        r.integer("stagger_ms", s.load.stagger_ms, 0, 1000);
        r.text("probe_path", s.load.probe_path, false, {"/health", "/"});
        r.integer("probe_every_ms", s.load.probe_every_ms, 1, 10'000);
        r.finish();
        if (s.load.rate > 0)
            if (auto problem = open_loop_problem(s.load.rate, std::chrono::milliseconds(s.load.duration_ms)))
                r.fail("rate", *problem);
    }

    const toml::node* configs = root.get("configuration");
    if (!configs || !configs->is_array_of_tables() || configs->as_array()->empty())
        top.fail("configuration", "needs at least one [[configuration]] table");
    int i = 0;
    for (const toml::node& node : *configs->as_array()) {
        Configuration c;
        Reader r(file, *node.as_table(), "configuration[" + std::to_string(i++) + "].");
        r.text("label", c.label, true);
        r.text("mode", c.mode, true, known_modes(false));
        r.integer("threads", c.threads, 1, 10'000);
        r.integer("workers", c.workers, 1, 64);
        r.text("balance", c.balance, false, {"shared", "reuseport"});
        r.text("worker_mode", c.worker_mode, false, known_modes(true));
        r.text("client", c.client, false, {"concurrent", "sequential"});
        r.boolean("gil", c.gil);
        if (node.as_table()->contains("requests")) {
            int n = 0;
            r.integer("requests", n, 1, 10'000);
            c.requests = n;
        }
        r.text("fastapi_variant", c.fastapi_variant, false, {"blocking", "awaiting", "threaded", "run_in_threadpool"});
        r.seconds("document_s", c.document_s);
        r.text("document_text", c.document_text);
        r.finish();
        s.configurations.push_back(std::move(c));
    }
    top.seen("load");
    top.seen("configuration");
    top.finish();
    return s;
}

fs::path scenario_dir() { return lab_data_dir("LAB_SCENARIOS", "scenarios", "scenarios"); }

std::vector<fs::path> scenario_files(const fs::path& dir) {
    std::vector<fs::path> files;
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".toml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

std::string closest_name(const std::string& name, const std::vector<std::string>& known) {
    auto distance = [](const std::string& a, const std::string& b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j)
                diagonal = std::exchange(row[j], std::min({row[j] + 1, row[j - 1] + 1,
                                                           diagonal + (a[i - 1] != b[j - 1])}));
        }
        return row[b.size()];
    };
    std::string best;
    std::size_t best_distance = SIZE_MAX;
    for (const auto& k : known)
        if (auto d = distance(name, k); d < best_distance) best = k, best_distance = d;
    return best;
}

}  // namespace lab
