#pragma once
// The picture the documents draw by hand, drawn from measurements: one row per request, time
// running right, the wait for the server apart from the time being served.
#include <string>

#include "lab/run/runner.hpp"

namespace lab {

// The rows a timeline draws: the batch's requests in the order the server began them (so a
// blocked loop shows its staircase), evenly sampled down to `most` rows for big batches.
struct TimelineRow {
    const RequestRecord* record;
    std::size_t position;  // in that order, among all of the batch's requests
};
struct TimelineRows {
    std::vector<TimelineRow> rows;
    std::int64_t t0 = 0, t1 = 0;  // first send, last answer
    std::size_t total = 0;
};
TimelineRows timeline_rows(const Batch& batch, std::size_t most);

std::string timeline(const ConfigurationResult& result, const Load& load, int columns = 60);

}  // namespace lab
