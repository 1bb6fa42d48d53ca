// A lesson's claims, as its file writes them (scenarios/README.md): [[expect]], the bounds a run
// checks the text by; [[choice]], what the class may pick before the run; and the figures a text
// cites. Read by load_scenario (scenario_reader.cpp), each key's error naming file, key and why.
#include "lab/scenario/claims_reader.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "lab/scenario/figure_catalogue.hpp"

namespace lab {
namespace fs = std::filesystem;

void check_cited_figures(TableReader& r, const char* key, const std::string& text) {
    static const std::regex cited(cited_figure_pattern);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), cited);
         it != std::sregex_iterator(); ++it) {
        if (named<Figure>((*it)[1].str())) continue;
        r.fail(key, fmt::format("'{}' cites no figure: the figures are {}", (*it)[0].str(),
                                fmt::join(all_names<Figure>(), ", ")));
    }
}

namespace {

// What a claim bounds, as [[expect]] and [[choice]] both write it: a row's figure, at_least and/or
// at_most, relative_to; and the sentence, under `sentence`.
Expectation read_bound(TableReader& r, const toml::table& table, long rows, const char* sentence) {
    Expectation e;
    if (!table.contains("row")) r.fail("row", "is required: the configuration's place, from 1");
    r.integer("row", e.row, 1, rows);
    if (!table.contains("figure")) r.fail("figure", "is required");
    r.choice("figure", e.figure);
    r.optional_number("at_least", e.at_least);
    r.optional_number("at_most", e.at_most);
    r.reference("relative_to", e.relative_to, e.relative_row, rows);
    r.text(sentence, e.claim, true);
    if (!e.at_least && !e.at_most) r.fail("at_least", "needs at_least, at_most or both");
    return e;
}

// The tables of array `key` ([[key]]), each read by `read` with its own reader.
template <class Read>
void each_table(const fs::path& file, const toml::table& root, const char* key, Read read) {
    const toml::node* tables = root.get(key);
    if (!tables) return;
    if (!tables->is_array_of_tables())
        TableReader(file, root, "").fail(key, std::string("must be [[") + key + "]] tables");
    int k = 0;
    for (const toml::node& node : *tables->as_array()) {
        TableReader r(file, *node.as_table(), key + ("[" + std::to_string(k++) + "]."));
        read(r, *node.as_table());
        r.finish();
    }
}

}  // namespace

void read_choices(const fs::path& file, const toml::table& root, Scenario& s) {
    const long rows = static_cast<long>(s.configurations.size());
    each_table(file, root, "choice", [&](TableReader& r, const toml::table& table) {
        Choice c{read_bound(r, table, rows, "text"), "", "", ""};
        if (c.says.claim.size() > longest_choice)
            r.fail("text", "is longer than " + std::to_string(longest_choice) +
                               " bytes: a choice is read on a phone and a projector");
        r.text("misconception", c.misconception);
        r.text("why", c.why, !c.misconception.empty());
        r.text("lesson", c.lesson, !c.misconception.empty());
        if (c.misconception.empty() && (!c.why.empty() || !c.lesson.empty()))
            r.fail("misconception", "is required with why and lesson: the right choice has none");
        if (!c.lesson.empty() && !fs::exists(scenario_dir() / (c.lesson + ".toml")))
            r.fail("lesson", "'" + c.lesson + "' is no lesson (lab list names them)");
        s.choices.push_back(std::move(c));
    });
    const auto right =
        std::ranges::count_if(s.choices, [](auto& c) { return c.misconception.empty(); });
    TableReader top(file, root, "");
    if (s.choices.size() > most_choices)
        top.fail("choice", "at most " + std::to_string(most_choices) + " choices, got " +
                               std::to_string(s.choices.size()));
    if (!s.choices.empty() && (right != 1 || s.choices.size() < 2))
        top.fail("choice", "needs one right choice (no misconception) and at least one wrong one");
}

void read_expectations(const fs::path& file, const toml::table& root, Scenario& s) {
    const long rows = static_cast<long>(s.configurations.size());
    TableReader top(file, root, "");
    each_table(file, root, "expect", [&](TableReader& r, const toml::table& table) {
        Expectation e = read_bound(r, table, rows, "claim");
        r.text("meaning", e.meaning);  // an exercise's: what a ✗ says of the student's code
        check_cited_figures(r, "meaning", e.meaning);
        r.integer("at", e.at, 0, 60'000);
        s.expectations.push_back(std::move(e));
    });
    if (const toml::node* check = root.get("check")) {
        if (!check->is_table()) top.fail("check", "must be a table");
        TableReader r(file, *check->as_table(), "check.");
        r.number("model_tolerance", s.model_tolerance, 0, 100);
        r.text("why", s.model_tolerance_why);
        r.finish();
    }
}

}  // namespace lab
