// What follows from a scenario once it is read: a configuration's own load, who serves its
// requests, the names of the key figures, and the services it needs, for the file's reader and
// everything after it.
#include <algorithm>
#include <vector>

#include "lab/modes/modes.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {
namespace {

// Whether an exercise gives its app `service` ("postgresql", "redis", "downstream").
bool gives_app(const Scenario& s, const char* service) {
    return std::find(s.needs.begin(), s.needs.end(), service) != s.needs.end();
}

// Each key figure: the one number of it a class guesses (--predict), and the figures "Measured
// here" gives beside each row's makespan (results/README.md; none: the makespan is it).
struct KeyFigureFacts {
    KeyFigure figure;
    std::optional<Figure> guessed;
    std::vector<Figure> beside;
};
const KeyFigureFacts key_figures[] = {
    {KeyFigure::makespan, Figure::measured, {}},
    {KeyFigure::bystander_latency, Figure::probe_p50, {Figure::probe_p50, Figure::probe_max}},
    {KeyFigure::peak_memory, Figure::pss, {Figure::pss, Figure::peak_rss}},
    {KeyFigure::per_worker, Figure::busiest_worker, {Figure::busiest_worker}},
    {KeyFigure::latency_over_time,
     Figure::p99_from_due,
     {Figure::p99_from_due, Figure::p99_from_send}},
    {KeyFigure::answer_vs_done, Figure::answer_p50, {Figure::answer_p50, Figure::done_p50}},
    // `lab load`'s: nothing to guess
    {KeyFigure::latency_histogram, std::nullopt, {Figure::answer_p50, Figure::answer_max}},
    {KeyFigure::tick_lateness,
     Figure::tick_late_p50,
     {Figure::tick_late_p50, Figure::tick_late_max}},
};

}  // namespace

Load load_of(const Load& load, const Configuration& c) {
    Load own = load;
    if (c.requests) own.requests = *c.requests;
    if (c.concurrency) own.concurrency = *c.concurrency;
    if (c.delay_ms) own.delay_ms = *c.delay_ms;
    return own;
}

bool served_by_processes(const Configuration& c) {
    return c.behind_nginx() || c.queued() || served_by_workers(c.mode);
}

int serving_processes(const Configuration& c) {
    if (c.behind_nginx()) return c.hosts;
    if (c.queued()) return c.queue_workers;
    return served_by_workers(c.mode) ? c.workers : 1;
}

std::optional<Figure> guessed_figure(KeyFigure figure) {
    for (const auto& k : key_figures)
        if (k.figure == figure) return k.guessed;
    return std::nullopt;
}

std::vector<Figure> figures_beside(KeyFigure figure) {
    for (const auto& k : key_figures)
        if (k.figure == figure) return k.beside;
    return {};
}

int planned_requests(const Load& load) {
    if (load.rate > 0)
        return static_cast<int>(load.rate * load.duration_ms / 1000.0);  // (the open loop's count)
    return load.flags.run_for_ms > 0 ? 0 : load.requests;
}

KeyFigure default_key_figure(const Load& load) {
    return load.rate > 0 ? KeyFigure::latency_over_time : KeyFigure::makespan;
}

bool waits_on(const Scenario& s, const std::string& path) {
    auto on = [&](const std::string& target) { return target.substr(0, target.find('?')) == path; };
    if (!on(s.load.path) && !on(s.load.probe_path)) return false;
    return std::any_of(s.configurations.begin(), s.configurations.end(),
                       [](const Configuration& c) { return c.server != Server::external; });
}

bool needs_postgres(const Scenario& s) { return waits_on(s, "/db") || gives_app(s, "postgresql"); }
bool needs_redis(const Scenario& s) {  // or a row of the lab's own that queues jobs (on Redis)
    return waits_on(s, "/cache") ||
           std::ranges::any_of(
               s.configurations,
               [](const Configuration& c) { return c.queued() && c.server != Server::external; }) ||
           gives_app(s, "redis");
}
bool needs_downstream(const Scenario& s) {
    return waits_on(s, "/fetch") || gives_app(s, "downstream");
}

}  // namespace lab
