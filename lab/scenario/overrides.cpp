// What the command line changes in a scenario before it runs (`lab run`, `lab check`): its
// numbers, its servers' sizes, one configuration (--only), or a sweep of one option; and the
// labels, rebuilt from the values that will run.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "lab/modes/modes.hpp"
#include "lab/scenario/overrides.hpp"

namespace lab {
namespace {

// `text` with the values one configuration runs with in place of its placeholders: {d} the wait
// in seconds as the documents write it (time.sleep(0.1)), {d_ms} in ms, {T} the pool's threads,
// {W} the workers, {N} the requests, {C} the connections at once, {P} the database pool, {Q} the
// queue workers, {H} the hosts behind nginx, {waves} a pool's ceil(N/T), {every_ms} the
// bystander's interval, {stagger_ms} the connections' stagger, {path} the route a student's app is
// asked at (an exercise's variant's). `{N}` is the row's own value;
// `{N@3}` (suffix "@3") the value of the file's third row (a text written for the whole lesson,
// like its teaching, can name another row's threads or requests).
void fill_values(std::string& text, const Configuration& c, const Load& own,
                 const std::string& suffix = "") {
    const std::string d = fmt::format("{:g}", own.delay_ms / 1000.0);
    auto fill = [&](std::string name, const std::string& value) {
        name.insert(name.size() - 1, suffix);
        for (auto at = text.find(name); at != std::string::npos;
             at = text.find(name, at + value.size())) {
            text.replace(at, name.size(), value);
            // A count and its noun agree: "{W} workers" with W = 1 is "1 worker".
            if (value != "1") continue;
            for (std::string noun :
                 {" workers", " threads", " requests", " hosts", " connections", " waves"})
                if (text.compare(at + 1, noun.size(), noun) == 0 &&
                    (at + 1 + noun.size() == text.size() ||
                     !std::isalpha(static_cast<unsigned char>(text[at + 1 + noun.size()])))) {
                    text.erase(at + noun.size(), 1);  // the noun's final s
                    break;
                }
        }
    };
    fill("{d}", d);
    fill("{d_ms}", std::to_string(own.delay_ms));
    fill("{T}", std::to_string(c.threads));
    fill("{W}", std::to_string(c.workers));
    fill("{N}", std::to_string(own.requests));
    fill("{C}", std::to_string(own.concurrency));
    fill("{P}", std::to_string(c.db_pool));
    fill("{Q}", std::to_string(c.queue_workers));
    fill("{H}", std::to_string(c.hosts));
    fill("{waves}", std::to_string((own.requests + c.threads - 1) /
                                   std::max(1, c.threads)));  // a pool's: ceil(N/T)
    fill("{every_ms}", std::to_string(own.probe_every_ms));  // the bystander's interval
    fill("{stagger_ms}", std::to_string(own.stagger_ms));
    fill("{path}", c.target_path);
}

// The numbers the command line gives, in place of the file's: the load's and every row's.
void take_numbers(Scenario& s, const Overrides& o) {
    if (o.requests) s.load.requests = *o.requests;
    if (o.concurrency) s.load.concurrency = *o.concurrency;
    if (o.delay_ms && *o.delay_ms != s.load.delay_ms) {
        // The document measured its own d: its figure no longer compares, so is shown, not charted.
        const std::string d = fmt::format("{:g} s", s.load.delay_ms / 1000.0);
        for (auto& c : s.configurations)
            if (c.document_s) {
                c.document_text =
                    (c.document_text.empty() ? std::to_string(*c.document_s) : c.document_text) +
                    " (for d = " + d + ")";
                c.document_s.reset();
            }
        s.load.delay_ms = *o.delay_ms;
    }
    if (o.repeat) s.load.repeat = *o.repeat;
    for (auto& c : s.configurations) {
        if (o.threads) c.threads = *o.threads;
        if (o.workers) c.workers = *o.workers;
        if (o.balance) c.balance = *o.balance;
        if (o.db_pool) c.db_pool = *o.db_pool;
    }
}

// A claim the file makes at a value of its sweep's option ([[expect]] at = 20), in a run that
// does not sweep that option: checked if the run is at that value, else said to be elsewhere.
void place_claims_at_values(Scenario& s, const std::optional<Sweep>& sweep) {
    for (Expectation& e : s.expectations) {
        if (!e.at || e.at_option.empty() || (sweep && e.at_option == sweep->option)) continue;
        const SweepOption* option = find_sweep_option(e.at_option);
        auto row = std::ranges::find(s.configurations, e.row, &Configuration::number);
        if (!option || row == s.configurations.end()) continue;
        if (int actual = option->value(s.load, *row); actual == *e.at) {
            e.at.reset();
            e.at_option.clear();
        } else {
            e.not_here = std::string("it is about ") + option->symbol + " = " +
                         std::to_string(*e.at) + ", this run has " + option->symbol + " = " +
                         std::to_string(actual);
        }
    }
}

// Labels, claims, the ideas a guess's gap points to, the title and the text, built from the
// values that run (fill_values).
void fill_texts(Scenario& s) {
    for (auto& c : s.configurations) {
        const Load own = load_of(s.load, c);
        for (std::string* text : {&c.label, &c.series, &c.if_guessed_low,
                                  &c.if_guessed_high})  // (a sweep's series shows its symbol)
            fill_values(*text, c, own);
    }
    // Each claim (and what its ✗ means) by its own row's values (in a sweep, its point's): the
    // text's, and the choices' (a choice's text is its claim)
    std::vector<Expectation*> claims;
    for (Expectation& e : s.expectations) claims.push_back(&e);
    for (Choice& c : s.choices) {
        claims.push_back(&c.says);
        fill_lesson_values(c.why, s);
    }
    for (Expectation* e : claims) {
        for (std::string* text : {&e->claim, &e->meaning}) {
            for (const Configuration& c : s.configurations)
                if (c.number == e->row &&
                    (!c.sweep_value || c.sweep_value == (e->at ? e->at : c.sweep_home))) {
                    fill_values(*text, c, load_of(s.load, c));
                    break;
                }
            fill_lesson_values(*text, s);  // and another row's, `{T@1}`, as the text names them
        }
    }
    for (std::string* text : {&s.title, &s.teaching, &s.question})
        fill_lesson_values(*text, s);  // by its rows' values
}

// --only: one configuration, by its label or its row in the file (from 1), with its sweep's points.
void keep_only(Scenario& s, const std::string& want) {
    std::vector<Configuration> kept;
    for (const Configuration& c : s.configurations)
        if (c.label == want || std::to_string(c.number) == want) kept.push_back(c);
    if (kept.empty()) {
        std::string known;
        for (const Configuration& c : s.configurations)
            known += "\n  " + std::to_string(c.number) + ": " + c.label;
        throw std::invalid_argument("--only '" + want + "': no such configuration in " + s.name +
                                    "; it has:" + known);
    }
    s.configurations = std::move(kept);
}

}  // namespace

void fill_lesson_values(std::string& text, const Scenario& s) {
    if (s.configurations.empty()) return;
    auto fill_row = [&](const Configuration& c) {
        fill_values(text, c, load_of(s.load, c), std::string("@").append(std::to_string(c.number)));
    };
    for (bool home_only :
         {true, false})  // a row filled once stays filled: nothing is left to replace
        for (const Configuration& c : s.configurations)
            if (c.number > 0 && (!home_only || !c.sweep_value || c.sweep_value == c.sweep_home))
                fill_row(c);
    for (const Configuration& c : s.merged) fill_row(c);  // at its own value
    fill_values(text, s.configurations.front(), load_of(s.load, s.configurations.front()));
}

Scenario apply(Scenario s, const Overrides& o) {
    take_numbers(s, o);
    // A sweep from the command line replaces the file's; one value for the file's swept option
    // measures that value alone.
    std::optional<Sweep> sweep = o.sweep ? o.sweep : s.sweep;
    if (sweep && !o.sweep && o.single(sweep->option)) sweep.reset();
    s.sweep.reset();
    place_claims_at_values(s, sweep);
    if (sweep) {
        if (auto problem = sweep_problem(*sweep))
            throw std::invalid_argument("--" + sweep->option + ": " + *problem);
        if (s.load.rate > 0)
            throw std::invalid_argument(
                "--" + sweep->option +
                " takes one value here: a sweep measures closed-loop batches, and " + s.name +
                " is an open loop");
        s = expand_sweep(std::move(s), *sweep);
    }
    fill_texts(s);
    if (o.only) keep_only(s, *o.only);
    return s;
}

bool Overrides::single(const std::string& option) const {
    if (option == "requests") return requests.has_value();
    if (option == "concurrency") return concurrency.has_value();
    if (option == "delay") return delay_ms.has_value();
    if (option == "threads") return threads.has_value();
    if (option == "workers") return workers.has_value();
    return option == "db-pool" && db_pool.has_value();
}

std::vector<std::string> unused_overrides(const Scenario& s, const Overrides& o) {
    bool threads = false, workers = false;
    for (const auto& c : s.configurations)
        if (const ModeInfo* mode = find_mode(c.mode)) {
            threads = threads || mode->takes_threads;
            workers = workers || mode->takes_workers;
        }
    std::vector<std::string> notices;
    auto say = [&](const char* option, const char* who) {
        notices.push_back(std::string(option) + " applies to " + who + " configurations; " +
                          s.name + " has none, so it changes nothing");
    };
    if ((o.threads || (o.sweep && o.sweep->option == "threads")) && !threads)
        say("--threads", "thread-pool");
    if ((o.workers || (o.sweep && o.sweep->option == "workers")) && !workers)
        say("--workers", "multi-process");
    if (o.balance && !workers) say("--balance", "multi-process");
    // A service's URL is unused exactly when run_scenario would not start that service.
    auto unused = [&](const char* option, const char* applies_to) {
        notices.push_back(std::string(option) + " applies to scenarios that " + applies_to + "; " +
                          s.name + " does not, so it changes nothing");
    };
    if (o.redis_url && !needs_redis(s)) unused("--redis-url", "ask Redis (/cache) or queue jobs");
    if (o.downstream_url && !needs_downstream(s))
        unused("--downstream-url", "call a downstream service (/fetch)");
    if (o.database_url && !needs_postgres(s)) unused("--database-url", "query PostgreSQL (/db)");
    if (o.db_pool && !waits_on(s, "/db")) unused("--db-pool", "query PostgreSQL (/db)");
    return notices;
}

}  // namespace lab
