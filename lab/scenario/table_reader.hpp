#pragma once
// How a scenario file is read: one TOML table at a time, each key checked for its type and range
// as it is taken, and any key nobody took refused as a typo. A refusal names the file, the key
// (with its table's prefix: "configuration[1].threads") and the reason (lab/scenario/scenario.hpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "lab/named.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// Reads one table's keys, each checked for type and range, and refuses keys it does not know.
class TableReader {
public:
    TableReader(const std::filesystem::path& file, const toml::table& table, std::string prefix)
        : file_(file), table_(table), prefix_(std::move(prefix)) {}

    void text(const char* key, std::string& out, bool required = false,
              std::set<std::string> allowed = {}) {
        const toml::node* node = take(key, required);
        if (!node) return;
        auto value = node->value<std::string>();
        if (!value) fail(key, "must be a string");
        if (!allowed.empty() && !allowed.count(*value))
            fail(key, fmt::format("'{}' is not one of: {}", *value, fmt::join(allowed, ", ")));
        out = *value;
    }

    // One of an enum's words (lab/named.hpp), of `allowed` if given, else of all of them.
    template <Named E>
    void choice(const char* key, E& out, std::vector<E> allowed = {}) {
        std::string word;
        std::set<std::string> words;
        for (const std::string& each : all_names<E>())
            if (allowed.empty() ||
                std::find(allowed.begin(), allowed.end(), *named<E>(each)) != allowed.end())
                words.insert(each);
        text(key, word, false, words);
        if (!word.empty()) out = *named<E>(word);
    }

    // `out`: an int, or a std::optional<int> that is set only when the key is there
    template <class Int>
    void integer(const char* key, Int& out, long low, long high) {
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
        if (!value || !std::isfinite(*value) || *value < low || *value > high)  // (nan passes <, >)
            fail(key, "must be a number between " + std::to_string(low) + " and " +
                          std::to_string(high));
        out = *value;
    }

    // Any finite number, or (`seconds`) a positive one: how long a document says a row took.
    void optional_number(const char* key, std::optional<double>& out, bool seconds = false) {
        const toml::node* node = take(key, false);
        if (!node) return;
        auto value = node->value<double>();  // accepts integers too
        if (!value || !std::isfinite(*value) || (seconds && *value <= 0))
            fail(key, seconds ? "must be a positive, finite number of seconds"
                              : "must be a finite number");
        out = *value;
    }

    // What an expectation's bound is a multiple of: a name, or another configuration's place.
    void reference(const char* key, std::string& kind, int& row, long rows) {
        const toml::node* node = take(key, false);
        if (!node) return;
        if (auto place = node->value<long>()) {
            if (*place < 1 || *place > rows)
                fail(key, "names no configuration: must be from 1 to " + std::to_string(rows));
            kind = "row";
            row = static_cast<int>(*place);
            return;
        }
        auto name = node->value<std::string>();
        const std::set<std::string> names{"model", "K",      "share", "d",   "N",   "T",  "W",
                                          "P",     "answer", "1/d",   "T/d", "W/d", "N/d"};
        if (!name || !names.count(*name))
            fail(key,
                 "must be model, K, share, d, N, T, W, P, answer, a rate (1/d, T/d, W/d, N/d) or "
                 "a configuration's place (1, 2, ...)");
        kind = *name;
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

    const std::filesystem::path& file_;
    const toml::table& table_;
    std::string prefix_;
    std::set<std::string> seen_;
};

}  // namespace lab
