#include "lab/scenario/scenario.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "harness/open_loop.hpp"
#include "lab/modes/modes.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/scenario/claims_reader.hpp"
#include "lab/scenario/sweep.hpp"
#include "lab/scenario/table_reader.hpp"

namespace lab {
namespace fs = std::filesystem;

ScenarioError::ScenarioError(const fs::path& f, const std::string& k, const std::string& r)
    : std::runtime_error(f.string() + ": " + k + ": " + r), file(f.string()), key(k), reason(r) {}

std::string cited_by_title(std::string source) {
    // The five documents the lessons reproduce, by the file names their `source` cites them by,
    // and the titles a reader knows them by.
    static constexpr std::pair<std::string_view, std::string_view> documents[] = {
        {"000_bfadbdd73b33b8fc.txt", "How FastAPI Handles Concurrency: Deep Dive"},
        {"001_b11cc018d65c1e5a.txt", "Concurrency and Parallelism in FastAPI"},
        {"002_445549baed97520b.txt", "Concurrency and Parallelism in Python & FastAPI"},
        {"003_9feab08ae2590e41.txt", "Concurrency: Mastering Async and Await"},
        {"004_90b4df13068e05ee.txt", "Asynchronous Programming in FastAPI"},
    };
    for (const auto& [file, title] : documents)
        for (auto at = source.find(file); at != std::string::npos; at = source.find(file))
            source.replace(at, file.size(),
                           fmt::format("“{}” (document {})", title, file.substr(0, 3)));
    return source;
}

namespace {

// Why a scenario cannot chart `figure`: it did not measure it (nullopt: it can).
std::optional<std::string> unmeasured(KeyFigure figure, const Scenario& s) {
    bool open_loop = s.load.rate > 0;
    switch (figure) {
        case KeyFigure::makespan:
            if (open_loop) return "an open loop (load.rate) has no makespan: use latency-over-time";
            break;
        case KeyFigure::bystander_latency:
            if (s.load.probe_path.empty())
                return "needs load.probe_path, the bystander whose latency it charts";
            break;
        case KeyFigure::peak_memory:
            if (!s.load.report_memory) return "needs load.report_memory = true";
            break;
        case KeyFigure::per_worker:
            if (std::ranges::none_of(s.configurations, served_by_processes))
                return "needs a configuration served by several processes (mode = "
                       "\"multi-process\", hosts or queue_workers)";
            break;
        case KeyFigure::latency_over_time:
            if (!open_loop) return "needs an open loop (load.rate > 0)";
            break;
        case KeyFigure::answer_vs_done:
            if (open_loop)
                return "needs a closed loop: an open loop's requests are answered when done";
            break;
        case KeyFigure::latency_histogram:  // (a scenario file is a lesson's, never `lab load`'s)
            return "is lab load's figure: the answers of one server it did not start, in a "
                   "closed loop";
        case KeyFigure::tick_lateness:
            if (!s.load.websocket()) return "needs WebSockets held open (load.path = \"/ws\")";
            break;
    }
    return std::nullopt;
}

// [sweep]: option = "concurrency", values = [1, 2, 5, 10]: the configurations are measured at
// each value (lab/scenario/sweep.hpp).
void read_sweep(const fs::path& file, const toml::table& root, Scenario& s) {
    const toml::node* node = root.get("sweep");
    if (!node) return;
    TableReader top(file, root, "");
    if (!node->is_table()) top.fail("sweep", "must be a table: option = \"...\", values = [...]");
    TableReader r(file, *node->as_table(), "sweep.");
    Sweep sweep;
    std::vector<std::string> names;
    for (const SweepOption& o : sweep_options()) names.push_back(o.name);
    r.text("option", sweep.option, true, {names.begin(), names.end()});
    const toml::node* values = node->as_table()->get("values");
    if (!values || !values->is_array()) r.fail("values", "is required: a list of whole numbers");
    for (const toml::node& v : *values->as_array()) {
        auto n = v.value_exact<std::int64_t>();
        if (!n || *n < 0 || *n > 1'000'000) r.fail("values", "must be whole numbers");
        sweep.values.push_back(static_cast<int>(*n));
    }
    r.seen("values");
    r.finish();
    if (auto problem = sweep_problem(sweep)) r.fail("values", *problem);
    if (s.load.rate > 0)
        r.fail("option",
               "a sweep measures closed-loop batches; this scenario's load is an open loop");
    s.sweep = sweep;
    // A claim's `at` is a value of this option, one the sweep measures.
    for (std::size_t k = 0; k < s.expectations.size(); ++k) {
        Expectation& e = s.expectations[k];
        if (!e.at) continue;
        if (std::find(sweep.values.begin(), sweep.values.end(), *e.at) == sweep.values.end())
            throw ScenarioError(file, "expect[" + std::to_string(k) + "].at",
                                std::to_string(*e.at) + " is not one of [sweep].values");
        e.at_option = sweep.option;
    }
}

std::set<std::string> known_modes(bool worker_modes_only) {
    auto names = mode_names(worker_modes_only);
    return {names.begin(), names.end()};
}

// The file's TOML, or a ScenarioError that says at which line and column it is not TOML.
toml::table parsed(const fs::path& file) {
    try {
        return toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        throw ScenarioError(
            file, "line " + std::to_string(at.line) + ", column " + std::to_string(at.column),
            std::string(e.description()));
    }
}

// The lesson's own words: its name, title, source and teaching (an exercise's question too).
void read_lesson(TableReader& top, const toml::table& root, const fs::path& file, Scenario& s) {
    top.text("name", s.name, true);
    top.text("title", s.title, true);
    top.text("source", s.source, true);
    top.text("teaching", s.teaching, true);
    check_cited_figures(top, "teaching", s.teaching);
    top.text("question", s.question);  // an exercise's (scenarios/exercises/): what it asks
    top.text("lesson", s.lesson);  // and the lesson it practises
    top.number("took_here_s", s.took_here_s, 0, 100'000);
    top.number("starter_took_here_s", s.starter_took_here_s, 0, 100'000);
    if (const toml::node* needs = root.get("needs")) {  // the services an exercise's app is given
        if (!needs->is_array())
            top.fail("needs", "must be a list of \"postgresql\", \"redis\", \"downstream\"");
        for (const toml::node& n : *needs->as_array()) {
            auto name = n.value<std::string>();
            if (!name || (*name != "postgresql" && *name != "redis" && *name != "downstream"))
                top.fail("needs", "must be a list of \"postgresql\", \"redis\", \"downstream\"");
            s.needs.push_back(*name);
        }
        top.seen("needs");
    }
    if (s.name != file.stem().string())
        top.fail("name",
                 "'" + s.name + "' must match the file name '" + file.stem().string() + "'");
}

// [load]: what is sent, each number within its bounds.
void read_load(TableReader& top, const toml::table& root, const fs::path& file, Load& load) {
    const toml::node* node = root.get("load");
    if (!node) return;
    if (!node->is_table()) top.fail("load", "must be a table");
    TableReader r(file, *node->as_table(), "load.");
    r.integer("requests", load.requests, 1, 10'000);
    r.integer("concurrency", load.concurrency, 1, 10'000);
    r.text("path", load.path, false,
           {"/delay", "/cpu", "/db", "/fetch", "/background/delay", "/background/cpu", "/ws"});
    r.text("method", load.method, false, {"GET", "POST"});
    r.integer("delay_ms", load.delay_ms, 0, 60'000);
    r.integer("repeat", load.repeat, 1, 100);
    r.boolean("warmup", load.warmup);
    r.boolean("report_memory", load.report_memory);
    r.number("rate", load.rate, 0, 100'000);
    r.integer("duration_ms", load.duration_ms, 100, 600'000);
    r.integer("stall_ms", load.stall_ms, 0, 60'000);
    r.integer("stall_at_ms", load.stall_at_ms, 0, 600'000);
    r.integer("stagger_ms", load.stagger_ms, 0, 1000);
    r.text("probe_path", load.probe_path, false, {"/health", "/", "/cache", "/__lab/health"});
    r.integer("probe_every_ms", load.probe_every_ms, 1, 10'000);
    r.integer("probe_after_ms", load.probe_after_ms, 0, 60'000);
    r.integer("ramp_max_in_flight", load.ramp_max_in_flight, 2, 1000);
    r.finish();
    if (load.rate > 0)
        if (auto problem =
                open_loop_problem(load.rate, std::chrono::milliseconds(load.duration_ms)))
            r.fail("rate", *problem);
}

// A lesson's own app, `app = "apps/NAME/FILE.py:ATTR"`: a file beside the scenario's, run as a
// student's app is (under uvicorn, with the lab's probe), its folder as uvicorn's --app-dir.
void read_lesson_app(TableReader& r, const fs::path& file, Configuration& c) {
    std::string given;
    r.text("app", given, false);
    if (given.empty()) return;
    const auto colon = given.rfind(':');
    const fs::path where = (file.parent_path() / given.substr(0, colon)).lexically_normal();
    std::error_code ec;
    if (colon == std::string::npos || where.extension() != ".py" || !fs::is_regular_file(where, ec))
        r.fail("app", "must name a Python file beside the scenario's and its app: FILE.py:ATTR");
    c.app = fs::absolute(where, ec).string() + given.substr(colon);
    c.app_dir = fs::absolute(where, ec).parent_path().string();
}

// Who serves a [[configuration]]: a lab mode, or an app at its route's path (an exercise's
// student app, or the lesson's own).
void read_server(TableReader& r, const fs::path& file, Configuration& c) {
    r.choice("server", c.server, {Server::lab, Server::app});
    if (c.server == Server::app) {
        c.mode = "app";
        r.text("path", c.target_path, true);
        if (c.target_path.empty() || c.target_path[0] != '/')
            r.fail("path", "must be the route's path, starting with /");
        read_lesson_app(r, file, c);
    } else {
        r.text("mode", c.mode, true, known_modes(false));
    }
}

// The set-ups that cannot run together, refused with the key that asks for them.
void refuse_impossible(TableReader& r, const Configuration& c, const Load& load) {
    if (c.behind_nginx() && c.queued())
        r.fail("hosts",
               "and queue_workers do not go together: hosts serve the work, a queue hands it to "
               "workers");
    if (c.queued() && load.path != "/cpu" && load.path != "/delay")
        r.fail("queue_workers",
               "enqueues the load's work as jobs, which compute (/cpu) or wait (/delay); the "
               "load's path is " +
                   load.path);
    if (c.queued() && c.client == Client::sequential)
        r.fail("queue_workers", "needs the concurrent client, which polls for each job");
    if (c.queued() && load.rate > 0)
        r.fail("queue_workers",
               "takes a closed-loop load (submit, then poll until done), not an open loop");
}

// One [[configuration]]: a server to compare, its knobs, and the document's figure for it.
Configuration read_configuration(const fs::path& file, const toml::table& table, int number,
                                 const Load& load) {
    Configuration c;
    TableReader r(file, table, "configuration[" + std::to_string(number - 1) + "].");
    r.text("label", c.label, true);
    read_server(r, file, c);
    r.integer("threads", c.threads, 1, 10'000);
    r.integer("workers", c.workers, 1, 64);
    r.choice("balance", c.balance);
    r.text("worker_mode", c.worker_mode, false, known_modes(true));
    r.choice("client", c.client);
    r.boolean("gil", c.gil);
    r.boolean("blocking_redis", c.blocking_redis);
    if (c.blocking_redis && c.mode != "async-sleep")
        r.fail("blocking_redis",
               "goes with mode = \"async-sleep\": the other modes' Redis client blocks already");
    r.integer("db_pool", c.db_pool, 1, 100);
    r.integer("db_pool_kept", c.db_pool_kept, 0, c.db_pool);
    r.integer("queue_workers", c.queue_workers, 0, 64);
    r.integer("hosts", c.hosts, 0, 16);
    r.choice("upstream", c.upstream);
    refuse_impossible(r, c, load);
    r.integer("requests", c.requests, 1, 10'000);
    r.choice("fastapi_variant", c.fastapi_variant);
    r.choice("fastapi_loop", c.fastapi_loop);
    r.optional_number("document_s", c.document_s, /*seconds=*/true);
    r.text("document_text", c.document_text);
    r.text("if_guessed_low", c.if_guessed_low);
    r.text("if_guessed_high", c.if_guessed_high);
    r.finish();
    c.number = number;
    return c;
}

}  // namespace

Scenario load_scenario(const fs::path& file) {
    toml::table root = parsed(file);
    Scenario s;
    s.file = file;
    TableReader top(file, root, "");
    read_lesson(top, root, file, s);
    read_load(top, root, file, s.load);
    const toml::node* configs = root.get("configuration");
    if (!configs || !configs->is_array_of_tables() || configs->as_array()->empty())
        top.fail("configuration", "needs at least one [[configuration]] table");
    for (const toml::node& node : *configs->as_array())
        s.configurations.push_back(read_configuration(
            file, *node.as_table(), static_cast<int>(s.configurations.size()) + 1, s.load));
    read_expectations(file, root, s);
    read_choices(file, root, s);
    read_sweep(file, root, s);
    for (std::size_t k = 0; k < s.expectations.size(); ++k)
        if (s.expectations[k].at && !s.sweep)
            throw ScenarioError(file, "expect[" + std::to_string(k) + "].at",
                                "names a value of a sweep, and this file has no [sweep]");
    // The key figure the lesson names (else its load's default), if the scenario measures it.
    s.key_figure = default_key_figure(s.load);
    top.choice("key_figure", s.key_figure);
    if (auto problem = unmeasured(s.key_figure, s))
        top.fail("key_figure", "'" + name_of(s.key_figure) + "' " + *problem);
    for (const char* read_elsewhere :
         {"load", "configuration", "expect", "choice", "check", "sweep"})
        top.seen(read_elsewhere);
    top.finish();
    return s;
}

}  // namespace lab
