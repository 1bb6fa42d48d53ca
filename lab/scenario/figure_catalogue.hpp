#pragma once
// The figures a run measures for each configuration, each defined once: what the teaching texts
// cite ({measured:2}), what expectations bound ([[expect]] figure = "probe_max"), and what the
// charts draw all name one of these. A file's names are read once, when the scenario is read (a
// typo is an error there); past that the code holds a Figure. Their values come from
// lab/figures/figure_value.hpp, one case for each.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
template <>
struct Names<Figure> {  // as scenario files and summary.json write them
    static constexpr std::pair<Figure, std::string_view> list[] = {
        {Figure::measured, "measured"},
        {Figure::model, "model"},
        {Figure::throughput, "throughput"},
        {Figure::probe_p50, "probe_p50"},
        {Figure::probe_p99, "probe_p99"},
        {Figure::probe_max, "probe_max"},
        {Figure::peak_rss, "peak_rss"},
        {Figure::pss, "pss"},
        {Figure::loop_blocked, "loop_blocked"},
        {Figure::at_once, "at_once"},
        {Figure::db_at_once, "db_at_once"},
        {Figure::computing_at_once, "computing_at_once"},
        {Figure::busiest_worker, "busiest_worker"},
        {Figure::answer_p50, "answer_p50"},
        {Figure::answer_min, "answer_min"},
        {Figure::answer_max, "answer_max"},
        {Figure::done_p50, "done_p50"},
        {Figure::p99_from_due, "p99_from_due"},
        {Figure::p99_from_send, "p99_from_send"},
        {Figure::tick_late_p50, "tick_late_p50"},
        {Figure::tick_late_p99, "tick_late_p99"},
        {Figure::tick_late_max, "tick_late_max"},
        {Figure::connections_held, "connections_held"},
        {Figure::memory_per_connection, "memory_per_connection"},
        {Figure::reply_min, "reply_min"},
        {Figure::jobs_done, "jobs_done"}};
};

struct FigureInfo {
    Figure figure;
    std::string unit;  // "s", "ms", "MiB", "%", ""
    int digits;  // decimals it is shown with
    std::string what;  // in words, for `lab show`, errors and the README
    // Whether other processes taking the cores can move it: times and what ran at once can, a
    // count of work done once nothing is left waiting (jobs_done) cannot, so a claim on it broken
    // on a busy machine is still broken (lab/figures/busy_machine.hpp).
    bool a_busy_machine_moves = true;
};

const std::vector<FigureInfo>& figures();  // in the order of the enum
const FigureInfo& info(Figure figure);

// A figure a lesson's text cites, {measured:2}: row 2's measured makespan, filled in from the run.
// Its name is checked when the scenario is read (scenario_reader.cpp).
inline constexpr const char* cited_figure_pattern = R"(\{([a-z_0-9]+):([0-9]+)\})";

// "1.004 s", "21.3 ms", "56.5 MiB", "90 %": a value with its figure's digits and unit.
std::string figure_text(Figure figure, double value);

}  // namespace lab
