#pragma once
// What a batch of requests measured, reduced to the numbers the lab's tables print.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/load_generator.hpp"
#include "lab/named.hpp"

namespace lab {

struct Spread {
    double median = 0, min = 0, max = 0;
};
Spread spread_of(std::vector<double> values);

// p in [0, 100], nearest rank (harness/nearest_rank.hpp) on the sorted values; 0 for an empty list.
double percentile(std::vector<double> values, double p);

struct Interval {
    std::int64_t start, end;
};
// The most intervals that cover one instant; an interval ending as another starts does not overlap.
int max_overlap(std::vector<Interval> intervals);

struct BatchStats {
    int ok = 0, failed = 0;
    double makespan_s = 0;  // first send to last response
    double latency_min_s = 0, latency_p50_s = 0, latency_p90_s = 0, latency_p99_s = 0,
           latency_max_s = 0, latency_mean_s = 0;
    double throughput_rps = 0;  // answered requests per second of makespan
    double effective_concurrency = 0;  // total service time / makespan
    int max_in_service = -1;  // from the server's stamps; -1 if it gave none
    int max_in_database = -1;  // /db: from PostgreSQL's own stamps; -1 if none
    // The harness's own resolution: a round trip, each way at its quickest (to the server's start,
    // from its end to the answer: apart, as uvloop holds back every answer its blocked loop wrote),
    // and the longest a request was in service, by the server's stamps (-1: none). Requests each
    // served in less than that waited behind one another for less than the harness can tell.
    double round_trip_s = -1, longest_service_s = -1;
    std::map<std::int64_t, int> per_worker;  // worker pid -> requests answered
};

BatchStats summarize(const Batch& batch);

// "21999 of the mixed phase's 22000 requests got no answer (connect: Too many open files)", or ""
// when at least half were answered (a 4xx or 5xx, or one over the harness's limits, is an answer):
// a run that mostly failed measured the failure, not the server. Counted from the batch's tallies,
// so requests past its records count.
std::string mostly_unanswered(const Batch& batch, std::string_view which);

// Whether the server's stamps cannot tell how it served: nothing overlapped, but every request was
// served in less time than a round trip adds to any answer, so serving them one at a time cost
// less than the harness can tell (a route that answers at once). "sequential" would be a guess.
bool too_fast_to_tell(const BatchStats& stats);
inline constexpr const char* instant_verdict = "instant: too fast to tell";
inline constexpr const char* instant_reason =
    "each request was served in less time than a round trip adds to any answer: one after another "
    "or together looks the same";

// How a row's requests were served: its verdict's first words. Read from the server's own stamps;
// unknown without them (the lab never guesses one); instant when too fast to overlap, never
// sequential; said for a verdict that is a sentence of its own (how the bystander fared), or none.
enum class Served { sequential, concurrent, limited, failed, unknown, instant, said };
template <>
struct Names<Served> {
    static constexpr std::pair<Served, std::string_view> list[] = {
        {Served::sequential, "sequential"},
        {Served::concurrent, "concurrent"},
        {Served::limited, "limited to"},
        {Served::failed, "failed"},
        {Served::unknown,
         "unknown: the server's own timings are unknown (client-side figures only)"},
        {Served::instant, instant_verdict},
        {Served::said, ""}};
};

// A row's verdict: how it was served (K at a time, when limited), then what the lab adds: ";
// PostgreSQL ran 4 at once", a failure's reason, the lesson's row it behaved like. summary.json
// keeps its prose, read back by read().
struct Verdict {
    Served served = Served::said;
    int at_once = 0;  // limited: K
    std::string detail;  // what follows the first words, as said ("; ..." or ": ...")

    // "sequential", "limited to 4 at a time; PostgreSQL ran 4 at once": the one place it is worded.
    std::string text() const;
    static Verdict read(std::string_view text);
    bool operator==(const Verdict&) const = default;
};

// What the server did in one batch, read from its own stamps (failed when nothing was answered).
Verdict verdict(const BatchStats& stats, int requests, int concurrency);

}  // namespace lab
