#include "harness/tally.hpp"

#include <algorithm>

namespace lab {

void Tally::add(const RequestRecord& r) {
    ++requests;
    if (!r.ok()) ++failed;
    ++errors[static_cast<std::size_t>(r.error)];
    if (r.status > 0) {  // an answer came (a 4xx too): its status and its latency count
        ++statuses[r.status];
        latency.record(r.latency_us());
        body_bytes += static_cast<std::int64_t>(r.bytes);
    }
    if (r.intended_us >= 0)
        first_due_us = first_due_us < 0 ? r.intended_us : std::min(first_due_us, r.intended_us);
    last_end_us = std::max(last_end_us, r.end_us);
}

void Tally::merge(const Tally& other) {
    requests += other.requests;
    failed += other.failed;
    latency.merge(other.latency);
    for (auto [status, n] : other.statuses) statuses[status] += n;
    for (std::size_t k = 0; k < errors.size(); ++k) errors[k] += other.errors[k];
    body_bytes += other.body_bytes;
    if (other.first_due_us >= 0)
        first_due_us =
            first_due_us < 0 ? other.first_due_us : std::min(first_due_us, other.first_due_us);
    last_end_us = std::max(last_end_us, other.last_end_us);
}

double Tally::seconds() const {
    return first_due_us < 0 || last_end_us <= first_due_us
               ? 0
               : static_cast<double>(last_end_us - first_due_us) / 1e6;
}

std::vector<Tally> tally_of(const std::vector<RequestRecord>& records, std::size_t endpoints) {
    std::vector<Tally> tallies(std::max<std::size_t>(endpoints, 1));
    for (const RequestRecord& r : records)
        tallies[std::min(static_cast<std::size_t>(std::max(r.endpoint, 0)), tallies.size() - 1)]
            .add(r);
    return tallies;
}

}  // namespace lab
