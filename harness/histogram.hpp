#pragma once
// A latency histogram with bounded memory, in the manner of HdrHistogram: values in microseconds
// from 1 µs to over an hour, kept in log-linear buckets (each power of two split into 128), so
// any percentile is within 1% of the true value however many values were recorded. Each thread
// records into its own and the results are merged.
// While it has recorded at most exact_values values it also keeps each of them, and then its
// percentiles and counts are exact, the figures requests.csv's rows give (a bucket is 0.4 % to
// 0.8 % wide: 4 ms at 800 ms, where fifty answers within 10 ms fell in two buckets and read
// p50 = p99 = max). Past that, or read back from its buckets, it is within 1 % (see exact()).
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace lab {

class Histogram {
public:
    static constexpr int sub_bits = 7;  // 128 sub-buckets per power of two: < 1% error
    static constexpr int powers = 33;  // 2^32 µs is over an hour
    // As many as requests.csv keeps of a batch (harness/load_generator.hpp's keep_records): 8 MB.
    static constexpr std::int64_t exact_values = 1'000'000;

    void record(std::int64_t us);
    void merge(const Histogram& other);
    std::int64_t count() const { return count_; }
    std::int64_t max() const { return max_; }
    std::int64_t min() const { return count_ ? min_ : 0; }
    // Whether it still holds every value it recorded: its figures below are then exact.
    bool exact() const { return exact_; }
    // Keeps the buckets alone, as a histogram past exact_values or read back from a folder has.
    void forget_values();
    // How many values are at most `us` (exact, or within a bucket's 1%): a histogram's bars.
    std::int64_t count_at_most(std::int64_t us) const;
    // The value of nearest rank (harness/nearest_rank.hpp) for p in [0, 100]: exact, or the
    // largest its bucket holds (within 1%).
    std::int64_t percentile(double p) const;

    // Its non-empty buckets as (index, count), and back: a results folder keeps a `lab load`
    // run's histograms when requests.csv cannot hold every request. nullopt for buckets no
    // histogram has (an index out of range, a count below 1, extremes outside the buckets).
    std::vector<std::pair<int, std::int64_t>> buckets() const;
    static std::optional<Histogram> from_buckets(
        const std::vector<std::pair<int, std::int64_t>>& buckets, std::int64_t min,
        std::int64_t max);

private:
    static int index_of(std::int64_t us);
    static std::int64_t value_at(int index);  // the largest value the bucket holds
    const std::vector<std::int64_t>& sorted_values() const;
    std::array<std::int64_t, powers << sub_bits> counts_{};
    std::int64_t count_ = 0, max_ = 0, min_ = INT64_MAX;
    bool exact_ = true;
    // Every value recorded while exact_, sorted when first asked (a reader sorts them once).
    mutable std::vector<std::int64_t> values_;
    mutable bool sorted_ = true;
};

}  // namespace lab
