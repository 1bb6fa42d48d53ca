#pragma once
// The picture the documents draw by hand, drawn from measurements: one row per request, time
// running right, the wait for the server apart from the time being served.
#include <string>
#include <vector>

#include "lab/layout.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// One hold of a probed app's loop (`lab doctor`'s), drawn on the timeline's row "loop": a
// callback of 1 ms or more of one request's code, on its batch's time axis, with the target of the
// mix its request asked for (`endpoint`, as RequestRecord's).
struct LoopHold {
    int endpoint = 0;
    std::int64_t start_us = 0, end_us = 0;
    bool named = false;  // its route holds the loop: a culprit the doctor names
    bool operator==(const LoopHold&) const = default;
};

// The rows a timeline draws: the batch's requests in the order the server began them (so a
// blocked loop shows its staircase), evenly sampled down to `most` rows for big batches; and up
// to `bystanders` of the bystander's requests sent meanwhile, in that order among them (user 2's
// quick cache calls beside user 1's query).
struct TimelineRow {
    const RequestRecord* record;
    std::size_t position;  // in that order, among all of the batch's requests (a bystander's: none)
    bool bystander = false;  // one of the probe's requests, not the load's
};
struct TimelineRows {
    std::vector<TimelineRow> rows;
    std::int64_t t0 = 0, t1 = 0;  // first send, last answer
    std::size_t total = 0;
    bool stamped = false;  // any drawn request has the server's own stamps (else: client-side only)
    bool bystanders = false;  // whether any of the bystander's requests are drawn
};
// With `holds` (a probed batch's), the span runs on to the end of the last hold of the loop the
// probe saw (a background task holds it after the last answer).
TimelineRows timeline_rows(const Batch& batch, std::size_t most, std::size_t bystanders = 0,
                           const std::vector<LoopHold>& holds = {});
// A probed app's waits at the start of a request's service, as each timeline's legend says them
// (the terminal's in a glyph of their own, report.html's in a colour).
inline constexpr const char* waiting_for_thread =
    "in service, waiting for a thread (all of AnyIO's tokens lent)";
inline constexpr const char* waiting_for_connection =
    "in service, waiting for a DB connection (the pool's all out)";

// A bystander's requests a timeline draws at most
inline constexpr std::size_t bystanders_drawn = 10;

// When the bystander's longest wait of a configuration's whole run (the key figure's "worst") came
// in another batch than the one a timeline draws, a sentence saying so (else ""): a picture never
// leaves the headline's number unexplained.
std::string worst_probe_note(const ConfigurationResult& result, const Load& load);

// The time axis every configuration of a run shares: the longest median batch, first send to
// last answer. Drawn on it, a wall of d is a tenth as wide as a staircase of 10·d.
std::int64_t shared_axis_us(const RunResult& run);

// For a per-worker figure and a timeline coloured by worker: the median batch's worker pids,
// busiest first (so "worker 1" is the one that answered most).
std::vector<std::int64_t> workers_busiest_first(const ConfigurationResult& r);

// The median batch as rows of text on the time axis 0..axis_us, within layout.columns (with
// layout.wide, 60 columns of bar whatever the terminal).
std::string timeline(const ConfigurationResult& result, const Load& load, const Layout& layout,
                     std::int64_t axis_us);

// A row's mode as the table and its timeline's heading say it: the registry's name and options,
// and on a path that waits on a service, that service ("async-sleep" on /db awaits a query).
std::string mode_cell(const Configuration& c, const std::string& path);

}  // namespace lab
