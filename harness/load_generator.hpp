#pragma once
// The lab's load harness: C connections opened first, then M requests released together and
// kept going closed-loop (a connection sends its next request when its last one is answered),
// or, with run_for, as many as fit in that time. Every request is recorded, failed ones
// included, with the server's own stamps where given; the connections may be spread over
// several threads, each counting into its own tallies (harness/tally.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "harness/load_spec.hpp"
#include "harness/tally.hpp"

namespace lab {

struct Batch {
    int number = 0;
    std::vector<RequestRecord> requests;
    std::vector<RequestRecord> probes;  // the probe_target requests, if any
    bool cut_off = false;  // the deadline passed: what was unanswered then is recorded as `timeout`
    std::vector<Tally> tallies;  // one per target of the mix: every request, recorded or not
    int unfinished = 0;  // run_for: requests in flight when the time was up (not counted anywhere)
    std::int64_t not_recorded = 0;  // counted in the tallies, past keep_records
    std::string connect_failure;  // why a connection could not be opened, as the system said it
                                  // ("Too many open files")
    // A WebSocket load: the first message neither a tick nor a reply, as read ('its first 80
    // Bytes'), or "a binary message of N bytes"
    std::string foreign_message;
};

// All C connections concurrently, on `threads` threads of Asio with Beast parsing the responses.
Batch run_concurrent_batch(const LoadSpec& spec, int batch_number = 0);

// The connections a load opens (no more than its requests, unless it runs for a time) and the
// threads they run on (no more than the connections, at least one).
int connections_used(int requests, int concurrency, bool timed);
int threads_used(int threads, int connections);

// One request after another: the documents' "sequential". The same harness on one connection,
// where the next request leaves only when the last one's answer has come, as code that awaits
// each call in turn sends them. N requests take at least N·d.
Batch run_sequential_batch(const LoadSpec& spec, int batch_number = 0);
}  // namespace lab
