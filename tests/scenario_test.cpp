#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <regex>
#include <sstream>

#include "lab/run/runner.hpp"
#include "lab/scenario/exercises.hpp"
#include "lab/scenario/scenario.hpp"
#include "support.hpp"

namespace {

const std::string good = R"(
name = "lesson"
title = "A title"
source = "002, Part 9"
teaching = "Some words."

[load]
requests = 10
delay_ms = 50

[[configuration]]
label = "async def + time.sleep"
mode = "blocking-in-loop"
document_s = 1.1
)";

// Loads `text` as lesson.toml and returns the error it raised (or fails if none).
lab::ScenarioError error_of(const std::string& text) {
    test::ScratchDir dir;
    auto file = dir.write("lesson.toml", text);
    try {
        lab::load_scenario(file);
    } catch (const lab::ScenarioError& e) {
        CHECK(e.file == file.string());
        return e;
    }
    FAIL("no error for:\n" << text);
    throw;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
}

}  // namespace

TEST_CASE("a good scenario file parses, with defaults filled in", "[unit]") {
    test::ScratchDir dir;
    auto s = lab::load_scenario(dir.write("lesson.toml", good));
    CHECK(s.name == "lesson");
    CHECK(s.load.requests == 10);
    CHECK(s.load.concurrency == 10);
    CHECK(s.load.delay_ms == 50);
    CHECK(s.load.repeat == 5);
    CHECK(s.key_figure == lab::KeyFigure::makespan);  // absent: how long the batch took
    REQUIRE(s.configurations.size() == 1);
    CHECK(s.configurations[0].mode == "blocking-in-loop");
    CHECK(*s.configurations[0].document_s == 1.1);
}

TEST_CASE("each kind of bad scenario names its key and reason", "[unit]") {
    struct Case {
        std::string text, key, reason_part;
    };
    std::vector<Case> cases{
        {replace(good, "requests = 10", "requests = \"ten\""), "load.requests", "whole number"},
        {replace(good, "delay_ms = 50", "delay_ms = 70000"), "load.delay_ms",
         "between 0 and 60000"},
        {replace(good, "delay_ms = 50", "delay_ms = 50\nramp_max_in_flight = 5000"),
         "load.ramp_max_in_flight", "between 2 and 1000, got 5000"},
        {replace(good, "mode = \"blocking-in-loop\"", "mode = \"fast\""), "configuration[0].mode",
         "not one of"},
        {replace(good, "title = \"A title\"\n", ""), "title", "is required"},
        {replace(good, "requests = 10", "requets = 10"), "load.requets", "unknown key"},
        {replace(good, "name = \"lesson\"", "name = \"other\""), "name",
         "must match the file name"},
        {replace(good, "document_s = 1.1", "document_s = -1"), "configuration[0].document_s",
         "positive"},
        {good.substr(0, good.find("[[configuration]]")), "configuration", "at least one"},
        {replace(good, "[load]", "[load"), "line ", ""},
        {replace(good, "teaching", "key_figure = \"speed\"\nteaching"), "key_figure", "not one of"},
        {replace(good, "teaching", "key_figure = \"bystander-latency\"\nteaching"), "key_figure",
         "probe_path"},
        {replace(good, "teaching", "key_figure = \"peak-memory\"\nteaching"), "key_figure",
         "report_memory"},
        {replace(good, "teaching", "key_figure = \"per-worker\"\nteaching"), "key_figure",
         "several processes"},
        {replace(good, "teaching", "key_figure = \"latency-over-time\"\nteaching"), "key_figure",
         "open loop"},
        {replace(replace(good, "delay_ms = 50", "rate = 100\nduration_ms = 1000"), "teaching",
                 "key_figure = \"makespan\"\nteaching"),
         "key_figure", "no makespan"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto e = error_of(c.text);
        CHECK(e.key.find(c.key) == 0);
        CHECK(e.reason.find(c.reason_part) != std::string::npos);
    }
}

TEST_CASE("every scenario shipped in scenarios/ parses and validates", "[unit]") {
    auto files = lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios");
    REQUIRE(!files.empty());
    for (const auto& file : files) {
        INFO(file);
        CHECK_NOTHROW(lab::load_scenario(file));
    }
}

TEST_CASE("the closest name is offered for a typo", "[unit]") {
    CHECK(lab::closest_name("blocking-asnyc", {"blocking-async", "thread-pool"}) ==
          "blocking-async");
}

TEST_CASE("overriding d rewrites the labels and retires the document's figure", "[unit]") {
    test::ScratchDir dir;
    auto s = lab::load_scenario(
        dir.write("lesson.toml", replace(good, "label = \"async def + time.sleep\"",
                                         "label = \"async def + time.sleep({d})\"")));
    auto same = lab::apply(s, {});
    CHECK(same.configurations[0].label == "async def + time.sleep(0.05)");
    CHECK(same.configurations[0].document_s == 1.1);
    lab::Overrides faster;
    faster.delay_ms = 20;
    auto changed = lab::apply(s, faster);
    CHECK(changed.configurations[0].label == "async def + time.sleep(0.02)");
    CHECK_FALSE(changed.configurations[0].document_s);
    CHECK(changed.configurations[0].document_text.find("for d = 0.05 s") != std::string::npos);
}

TEST_CASE("labels are built from the values that run; an option that changes nothing says so",
          "[unit]") {
    auto shipped = [](const std::string& name) {
        return lab::load_scenario(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios" /
                                  (name + ".toml"));
    };
    lab::Overrides ten;
    ten.threads = 10;
    auto pool = lab::apply(shipped("thread-pool"), ten);
    REQUIRE(pool.configurations.size() == 2);
    CHECK(pool.configurations[0].label == "def route, 10 threads");
    CHECK(pool.configurations[1].label == "def route, 10 threads");
    CHECK(lab::unused_overrides(pool, ten).empty());
    auto as_shipped = lab::apply(shipped("thread-pool"), {});
    CHECK(as_shipped.configurations[1].label == "def route, 100 threads");

    auto blocking = lab::apply(shipped("blocking-async"), ten);
    auto notices = lab::unused_overrides(blocking, ten);
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].find("--threads") != std::string::npos);

    lab::Overrides two;
    two.workers = 2;
    auto workers = lab::apply(shipped("multi-process"), two);
    CHECK(workers.configurations[0].label ==
          "2 workers, one shared socket (as gunicorn and uvicorn)");
}

// "What if N = 7?": a lesson's words follow the values that run. With N, d, T, W and P changed,
// no title, text, label or claim still types the default N (as digits or a word) or d (in ms,
// or in seconds as Python writes it), so no sentence describes a run that did not happen.
TEST_CASE("no lesson's text types a number that a run's options set", "[unit]") {
    static const char* words[] = {
        "zero",     "one",     "two",     "three",     "four",     "five",     "six",
        "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
        "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"};
    auto as_digits = [](int n) {  // 10000 is also written 10,000
        std::string plain = std::to_string(n), grouped;
        for (std::size_t k = 0; k < plain.size(); ++k) {
            if (k > 0 && (plain.size() - k) % 3 == 0) grouped.push_back(',');
            grouped.push_back(plain[k]);
        }
        return "(" + plain + "|" + grouped + ")";
    };
    lab::Overrides changed;
    changed.requests = 7, changed.delay_ms = 130, changed.threads = 13, changed.workers = 3,
    changed.db_pool = 3;
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        const lab::Scenario before = lab::load_scenario(file);
        const lab::Scenario after = lab::apply(before, changed);
        INFO(before.name);
        std::string text = after.title + "\n" + after.teaching;
        for (const auto& c : after.configurations)
            text += "\n" + (c.sweep_value ? c.series : c.label);  // (not ", C = 20")
        for (const auto& e : after.expectations) text += "\n" + e.claim;
        std::vector<std::string> typed;  // what the defaults would have put there
        const int n = before.load.requests, d_ms = before.load.delay_ms;
        if (n > 1)
            typed.push_back("\\b" + as_digits(n) +
                            "\\b(?! ?%)(?!\\.[0-9])");  // (10 % is a tolerance; user 1 a name)
        if (n > 1 && n <= 20) typed.push_back(std::string("\\b") + words[n] + "\\b");
        typed.push_back("\\b" + as_digits(d_ms) + " ?ms\\b");
        char d[32];
        std::snprintf(d, sizeof d, "%g", d_ms / 1000.0);
        typed.push_back(std::string("[^0-9.]") + std::regex_replace(d, std::regex("\\."), "\\.") +
                        "( s\\b|\\))");
        for (const std::string& pattern : typed) {
            std::smatch m;
            bool found = std::regex_search(text, m, std::regex(pattern, std::regex::icase));
            INFO("typed: " << pattern << " in ..."
                           << (found ? text.substr(static_cast<std::size_t>(
                                                       std::max<long>(0, m.position(0) - 60)),
                                                   120)
                                     : ""));
            CHECK_FALSE(found);
        }
    }
}

TEST_CASE("--only runs one configuration, by label or by number", "[unit]") {
    auto s = lab::load_scenario(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios" /
                                "blocking-async.toml");
    lab::Overrides second;
    second.only = "2";
    auto by_number = lab::apply(s, second);
    REQUIRE(by_number.configurations.size() == 1);
    CHECK(by_number.configurations[0].mode == "async-sleep");
    lab::Overrides by_label;
    by_label.only = "async def + time.sleep(0.1)";
    auto named = lab::apply(s, by_label);
    REQUIRE(named.configurations.size() == 1);
    CHECK(named.configurations[0].mode == "blocking-in-loop");
    lab::Overrides missing;
    missing.only = "7";
    CHECK_THROWS_AS(lab::apply(s, missing), std::invalid_argument);
}

// scenarios/README.md teaches how to write a lesson; its example must load as it stands, and
// every key the shipped scenarios use must be documented there.
TEST_CASE("the scenario format's documentation holds a working example and every key in use",
          "[unit]") {
    const auto folder = std::filesystem::path(LAB_SOURCE_DIR) / "scenarios";
    std::string readme = test::read_file(folder / "README.md");
    auto begin = readme.find("```toml\n"), end = readme.find("```", begin + 8);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    test::ScratchDir dir;
    auto s = lab::apply(
        lab::load_scenario(dir.write("my-lesson.toml", readme.substr(begin + 8, end - begin - 8))),
        {});
    CHECK(s.name == "my-lesson");
    CHECK(s.key_figure == lab::KeyFigure::bystander_latency);
    REQUIRE(s.configurations.size() == 2);
    CHECK(s.configurations[0].label == "async def + time.sleep(0.1)");
    CHECK(s.configurations[1].label == "def + time.sleep(0.1), 40 threads");

    for (const auto& file : lab::scenario_files(folder)) {
        std::string text = test::read_file(file);
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            auto equals = line.find(" = ");
            std::string key = line.substr(0, equals);
            if (equals == std::string::npos || key.empty() ||
                key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
                continue;  // not a key: a line of the teaching text
            INFO(file.filename().string() << " uses `" << key << "`");
            CHECK(readme.find("`" + key + "`") != std::string::npos);
        }
    }
}

// Time said before it is spent, and right: `lab list` said multi-process takes "about 6 s" (its
// batches by the models, a third of a second a server) when it took 13.6 and 17.6 s. Each lesson's
// estimate is now how long it took here (results/README.md's generated "Measured here", which its
// file cites as took_here_s), and a run's options change only its batches, by the models.
TEST_CASE(
    "each lesson's estimate is its run measured here; options change its batches by the models",
    "[unit]") {
    const std::string table =
        test::read_file(std::filesystem::path(LAB_SOURCE_DIR) / "results/README.md");
    std::map<std::string, double> took;
    static const std::regex row(R"(\n\| ([a-z0-9-]+) \| ([0-9]+) s \|)");
    for (auto it = std::sregex_iterator(table.begin(), table.end(), row);
         it != std::sregex_iterator(); ++it)
        took[(*it)[1]] = std::stod((*it)[2]);
    auto files = lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios");
    REQUIRE(files.size() == took.size());
    for (const auto& file : files) {
        lab::Scenario s = lab::apply(lab::load_scenario(file), {});
        INFO(s.name);
        REQUIRE(took.count(s.name));
        CHECK(s.took_here_s == took[s.name]);
        lab::Estimate e = lab::estimate(s);
        CHECK(e.measured);
        lab::Scenario untimed = s;  // what the models alone say: the estimate is never below them
        untimed.took_here_s = 0;
        CHECK(e.seconds == Approx(std::max(s.took_here_s, lab::estimate(untimed).seconds)));
    }
    // One measured batch instead of five: 3 rows × 4 batches fewer, each ceil(10/4)·d = 0.3 s by
    // the model.
    lab::Scenario workers =
        lab::load_scenario(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios/multi-process.toml");
    lab::Overrides once;
    once.repeat = 1;
    CHECK(lab::estimate(lab::apply(workers, once)).seconds ==
          Approx(lab::estimate(workers).seconds - 3 * 4 * 0.3));
    // A file that was never timed here: the models alone, and said so.
    lab::Scenario untimed = workers;
    untimed.took_here_s = 0;
    CHECK_FALSE(lab::estimate(untimed).measured);
    CHECK(lab::estimate(untimed).seconds == Approx(3 * (6 * 0.3 + 0.33)));
}

// Every exercise check said "about 1 s" and took 2.1-10.1 s. It says its solution's time here and,
// where its starter took longer, the starter's: the requests one after another. A variant's N and
// d change both by the models.
TEST_CASE("an exercise's check says its solution's and its starter's time here", "[unit]") {
    for (const std::string& name : lab::exercise_names()) {
        INFO(name);
        const lab::Scenario s = lab::find_exercise(name)->scenario;
        const lab::Estimate e = lab::estimate(s);
        CHECK(e.measured);
        CHECK(e.seconds == Approx(s.took_here_s));
        CHECK(e.one_after_another_s == Approx(s.starter_took_here_s));
    }
    const lab::Scenario s = lab::find_exercise("blocking-sleep")->scenario;
    lab::Variant v = lab::variant_of(s, std::nullopt);
    v.requests -= 4, v.delay_ms += 50;  // 4 batches (a warm-up and 3), each 6 × 0.15 s
    const lab::Estimate e = lab::estimate(lab::with_variant(s, v));
    CHECK(e.seconds == Approx(s.took_here_s + 4 * 0.05));
    CHECK(e.one_after_another_s == Approx(s.starter_took_here_s + 4 * (6 * 0.15 - 10 * 0.1)));
}

// Starter READMEs said "From: 003_9feab08ae2590e41.txt": a file name no student knows. Every
// source is shown by its documents' titles.
TEST_CASE("a lesson's source is shown by its documents' titles, never their file names", "[unit]") {
    CHECK(lab::cited_by_title("001_b11cc018d65c1e5a.txt §3") ==
          "“Concurrency and Parallelism in FastAPI” (document 001) §3");
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        INFO(file);
        CHECK(lab::cited_by_title(lab::load_scenario(file).source).find(".txt") ==
              std::string::npos);
    }
}

// "With {T@2} threads" reached the room once a sweep merged the row it names. Every text a lesson
// prints (its title, teaching, labels, claims, what a ✗ means, a guess's idea) is scanned at three
// values of each option the command line gives, one at a time and swept: none keeps a placeholder
// ({T}, {N@2}). (A figure the text cites, {measured:2}, is filled after the run: not scanned; a
// route's own {id} is no placeholder.)
TEST_CASE("no lesson's text keeps a placeholder at three values of any option, or swept",
          "[unit]") {
    static const std::regex unfilled(
        R"(\{(d|T|W|N|C|P|Q|H|d_ms|waves|every_ms|stagger_ms)(@[0-9]+)?\})");
    using Set = void (*)(lab::Overrides&, int);
    const std::vector<std::pair<const char*, Set>> options{
        {"requests", [](lab::Overrides& o, int v) { o.requests = v; }},
        {"concurrency", [](lab::Overrides& o, int v) { o.concurrency = v; }},
        {"delay", [](lab::Overrides& o, int v) { o.delay_ms = v; }},
        {"threads", [](lab::Overrides& o, int v) { o.threads = v; }},
        {"workers", [](lab::Overrides& o, int v) { o.workers = v; }}};
    std::size_t scanned = 0;
    for (const auto& file :
         lab::scenario_files(std::filesystem::path(LAB_SOURCE_DIR) / "scenarios")) {
        const lab::Scenario shipped = lab::load_scenario(file);
        std::vector<lab::Overrides> runs(1);
        for (const auto& [name, set] : options) {
            for (int v : {2, 10, 40}) set(runs.emplace_back(), v);
            runs.emplace_back().sweep = lab::Sweep{name, {2, 10, 40}};
        }
        for (const lab::Overrides& o : runs) {
            lab::Scenario s;
            try {
                s = lab::apply(shipped, o);
            } catch (const std::invalid_argument&) {
                continue;  // (a sweep this lesson cannot run: refused with its reason)
            }
            std::vector<const std::string*> texts{&s.title, &s.teaching};
            for (const auto& c : s.configurations)
                texts.insert(texts.end(), {&c.label, &c.if_guessed_low, &c.if_guessed_high});
            for (const auto& e : s.expectations) texts.insert(texts.end(), {&e.claim, &e.meaning});
            scanned += texts.size();
            for (const std::string* text : texts) {
                std::smatch left;
                if (std::regex_search(*text, left, unfilled))
                    FAIL_CHECK(file.filename().string()
                               << (o.sweep ? " swept " + o.sweep->option : "") << ": " << left.str()
                               << " in: " << *text);
            }
        }
    }
    CHECK(scanned > 10'000);  // (26 lessons × 21 runs of their options, each of its texts)
}
