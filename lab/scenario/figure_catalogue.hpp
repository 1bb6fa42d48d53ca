#pragma once
// The figures a run measures for each configuration, each defined once: what the teaching texts
// cite ({measured:2}), what expectations bound ([[expect]] figure = "probe_max"), and what the
// charts draw all name one of these. A file's names are read once, when the scenario is read (a
// typo is an error there); past that the code holds a Figure. Their values come from
// lab/figures/figure_value.hpp, one case for each.
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include "lab/layout.hpp"  // fixed
#include "lab/named.hpp"

namespace lab {

enum class Figure {
    measured,
    model,
    throughput,
    probe_p50,
    probe_p99,
    probe_max,
    peak_rss,
    pss,
    loop_blocked,
    at_once,
    db_at_once,
    computing_at_once,
    busiest_worker,
    answer_p50,
    answer_min,
    answer_max,
    done_p50,
    p99_from_due,
    p99_from_send,
    tick_late_p50,
    tick_late_p99,
    tick_late_max,
    connections_held,
    memory_per_connection,
    reply_min,  // held WebSockets
    jobs_done,  // a student's app on a Redis: the work its queue's worker did
};
// One entry a figure, in the enum's order (checked below): its name as scenario files and
// summary.json write it, its unit ("s", "ms", "MiB", "%", ""), the decimals it is shown with, and
// what it is in words (for `lab show`, errors and the README). How each is computed is one case of
// lab/figures/figure_value.cpp.
struct FigureInfo {
    Figure figure;
    std::string_view name, unit;
    int digits;
    std::string_view what;
    // Whether other processes taking the cores can move it: times and what ran at once can, a
    // count of work done once nothing is left waiting (jobs_done) cannot, so a claim on it broken
    // on a busy machine is still broken (lab/figures/busy_machine.hpp).
    bool a_busy_machine_moves = true;
};
inline constexpr FigureInfo figure_catalogue[] = {
    {Figure::measured, "measured", "s", 3, "how long all N requests took (median of the batches)"},
    {Figure::model, "model", "s", 3, "what the model predicts for all N"},
    {Figure::throughput, "throughput", "requests/s", 1,
     "N over the measured makespan: requests answered per second (Little's law: about L/d with "
     "L served at once)"},
    {Figure::probe_p50, "probe_p50", "ms", 1,
     "the bystander probe's median latency, over every batch"},
    {Figure::probe_p99, "probe_p99", "ms", 1,
     "the bystander probe's 99th percentile latency, over every batch"},
    {Figure::probe_max, "probe_max", "ms", 1,
     "the bystander probe's worst latency, over every batch"},
    {Figure::peak_rss, "peak_rss", "MiB", 1,
     "the server's peak resident memory, summed over its processes (its workers too)"},
    {Figure::pss, "pss", "MiB", 1,
     "the server's proportional set size after the load: shared pages split among the "
     "processes that share them"},
    {Figure::loop_blocked, "loop_blocked", "ms", 1,
     "the longest the loop was kept from its other work (median of the batches)"},
    {Figure::at_once, "at_once", "", 0,
     "the most requests the server had in service at one moment (median batch)"},
    {Figure::db_at_once, "db_at_once", "", 0,
     "the most queries PostgreSQL itself ran at one moment, by its own clock (median batch)"},
    {Figure::computing_at_once, "computing_at_once", "", 0,
     "the most threads or workers that computed on a core at one moment (median batch)"},
    {Figure::busiest_worker, "busiest_worker", "%", 0,
     "the share of the median batch's requests that the busiest worker answered"},
    {Figure::answer_p50, "answer_p50", "ms", 1,
     "the median time to an answer (a queued job's: its 202), over every batch"},
    {Figure::answer_min, "answer_min", "ms", 1,
     "the fastest answer (a queued job's: its 202), over every batch: a floor the work sets, "
     "which no answer can beat while it is done"},
    {Figure::answer_max, "answer_max", "ms", 1,
     "the slowest answer (a queued job's: its 202), over every batch"},
    {Figure::done_p50, "done_p50", "s", 3,
     "the median time until a request's work was done (a queued job's: its worker finished it, "
     "by the queue's stamp), over every batch"},
    {Figure::p99_from_due, "p99_from_due", "ms", 1,
     "open loop: p99 latency from when each request was due"},
    {Figure::p99_from_send, "p99_from_send", "ms", 1,
     "open loop: p99 latency from when each request was sent"},
    {Figure::tick_late_p50, "tick_late_p50", "ms", 1,
     "WebSockets: the median client's worst tick lateness (from when the server meant to send "
     "a tick to when the client read it), over every batch"},
    {Figure::tick_late_p99, "tick_late_p99", "ms", 1,
     "WebSockets: the 99th percentile of the clients' worst tick lateness, over every batch"},
    {Figure::tick_late_max, "tick_late_max", "ms", 1,
     "WebSockets: the latest any client read a tick, over every batch"},
    {Figure::connections_held, "connections_held", "", 0,
     "WebSockets: how many stayed open through a batch (the fewest of the batches)"},
    {Figure::memory_per_connection, "memory_per_connection", "KiB", 1,
     "WebSockets: the server's PSS while they were held, less its PSS before they opened, per "
     "WebSocket held"},
    {Figure::reply_min, "reply_min", "ms", 1,
     "WebSockets: from the \"wait MS\" message a client sent to its handler's reply, the "
     "shortest over every batch: a floor the handler's wait sets, which no reply can beat "
     "while the wait is done"},
    {Figure::jobs_done, "jobs_done", "", 0,
     "a student's app on a Redis: the jobs its queue's worker finished for a batch, by RQ's "
     "own finished-job registries, read once no job waited or ran (the fewest of the batches)",
     /*a_busy_machine_moves=*/false},
};

constexpr bool in_the_enums_order() {
    for (std::size_t k = 0; k < std::size(figure_catalogue); ++k)
        if (static_cast<std::size_t>(figure_catalogue[k].figure) != k) return false;
    return std::size(figure_catalogue) == static_cast<std::size_t>(Figure::jobs_done) + 1;
}
static_assert(in_the_enums_order(), "figure_catalogue: one entry a Figure, in the enum's order");

template <>
struct Names<Figure> {
    static constexpr auto list = [] {
        std::array<std::pair<Figure, std::string_view>, std::size(figure_catalogue)> words{};
        for (std::size_t k = 0; k < words.size(); ++k)
            words[k] = {figure_catalogue[k].figure, figure_catalogue[k].name};
        return words;
    }();
};

constexpr const FigureInfo& info(Figure figure) {
    return figure_catalogue[static_cast<std::size_t>(figure)];
}

// A figure a lesson's text cites, {measured:2}: row 2's measured makespan, filled in from the run.
// Its name is checked when the scenario is read (scenario_reader.cpp).
inline constexpr const char* cited_figure_pattern = R"(\{([a-z_0-9]+):([0-9]+)\})";

// "1.004 s", "21.3 ms", "56.5 MiB", "90 %": a value with its figure's digits and unit.
inline std::string figure_text(Figure figure, double value) {
    const FigureInfo& f = info(figure);
    return fixed(value, f.digits) + (f.unit.empty() ? "" : " " + std::string(f.unit));
}

}  // namespace lab
