#pragma once
// A latency histogram with bounded memory, in the manner of HdrHistogram: values in microseconds
// from 1 µs to over an hour, kept in log-linear buckets (each power of two split into 128), so
// any percentile is within 1% of the true value however many values were recorded. Each thread
// records into its own and the results are merged.
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace lab {

class Histogram {
public:
    static constexpr int sub_bits = 7;  // 128 sub-buckets per power of two: < 1% error
    static constexpr int powers = 33;   // 2^32 µs is over an hour

    void record(std::int64_t us);
    void merge(const Histogram& other);
    std::int64_t count() const { return count_; }
    std::int64_t max() const { return max_; }
    std::int64_t min() const { return count_ ? min_ : 0; }
    // How many recorded values are at most `us` (to within the bucket's 1%): a histogram's bars.
    std::int64_t count_at_most(std::int64_t us) const;
    // The value below which p percent of the recorded values fall (p in [0, 100]).
    std::int64_t percentile(double p) const;

    // Its non-empty buckets as (index, count), and back: a results folder keeps a `lab load`
    // run's histograms when requests.csv cannot hold every request. nullopt for buckets no
    // histogram has (an index out of range, a count below 1, extremes outside the buckets).
    std::vector<std::pair<int, std::int64_t>> buckets() const;
    static std::optional<Histogram> from_buckets(const std::vector<std::pair<int, std::int64_t>>& buckets, std::int64_t min,
                                                 std::int64_t max);

private:
    static int index_of(std::int64_t us);
    static std::int64_t value_at(int index);  // the largest value the bucket holds
    std::array<std::int64_t, powers << sub_bits> counts_{};
    std::int64_t count_ = 0, max_ = 0, min_ = INT64_MAX;
};

}  // namespace lab
