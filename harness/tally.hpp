#pragma once
// What a load tester reports about the requests to one endpoint, kept as they are answered:
// how many, their latencies in a histogram, the status codes, the kinds of error and the bytes.
// Each harness thread keeps its own and they are merged at the end, so counting costs no lock;
// the same `add` rebuilds a tally from stored records (lab report of a `lab load` folder).
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "harness/answers.hpp"
#include "harness/histogram.hpp"

namespace lab {

struct Tally {
    std::int64_t requests = 0;  // answered or failed
    std::int64_t failed = 0;  // any error, a 4xx or 5xx included
    Histogram latency;  // µs from when each request was due to its answer (answered ones)
    std::map<int, std::int64_t> statuses;  // status code -> how many (answered ones)
    std::array<std::int64_t, error_kinds> errors{};  // by ErrorKind
    std::int64_t body_bytes = 0;
    std::int64_t first_due_us = -1, last_end_us = -1;  // the span its requests took

    void add(const RequestRecord& r);
    void merge(const Tally& other);
    double seconds() const;  // first due to last answer
    double per_second() const {
        return seconds() > 0 ? static_cast<double>(requests) / seconds() : 0;
    }
    std::int64_t errors_of(ErrorKind kind) const { return errors[static_cast<std::size_t>(kind)]; }
};

// One tally per endpoint (records name theirs), rebuilt from the records.
std::vector<Tally> tally_of(const std::vector<RequestRecord>& records, std::size_t endpoints);

}  // namespace lab
