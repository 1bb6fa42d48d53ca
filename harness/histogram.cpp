#include "harness/histogram.hpp"

#include <algorithm>
#include <bit>
#include "harness/nearest_rank.hpp"

namespace lab {

int Histogram::index_of(std::int64_t us) {
    auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(us, 0));
    if (v < (1u << sub_bits)) return static_cast<int>(v);  // small values are exact
    int power = std::bit_width(v) - 1;  // v in [2^power, 2^(power+1))
    int shift = power - sub_bits;
    int sub = static_cast<int>(v >> shift) - (1 << sub_bits);
    return std::min(((shift + 1) << sub_bits) + sub, (powers << sub_bits) - 1);
}

std::int64_t Histogram::value_at(int index) {
    if (index < (1 << sub_bits)) return index;
    int shift = (index >> sub_bits) - 1;
    std::int64_t sub = (index & ((1 << sub_bits) - 1)) + (1 << sub_bits);
    return ((sub + 1) << shift) - 1;
}

void Histogram::record(std::int64_t us) {
    ++counts_[static_cast<std::size_t>(index_of(us))];
    ++count_;
    max_ = std::max(max_, us);
    min_ = std::min(min_, us);
    if (!exact_) return;
    if (count_ > exact_values) return forget_values();
    values_.push_back(us);
    sorted_ = values_.size() < 2 || (sorted_ && values_[values_.size() - 2] <= us);
}

void Histogram::forget_values() {
    exact_ = false;
    std::vector<std::int64_t>().swap(values_);  // (its memory given back, not only emptied)
    sorted_ = true;
}

const std::vector<std::int64_t>& Histogram::sorted_values() const {
    if (!sorted_) std::sort(values_.begin(), values_.end());
    sorted_ = true;
    return values_;
}

std::int64_t Histogram::count_at_most(std::int64_t us) const {
    if (us >= max_) return count_;
    if (exact_) {
        const auto& values = sorted_values();
        return std::upper_bound(values.begin(), values.end(), us) - values.begin();
    }
    std::int64_t seen = 0;
    for (int i = 0, last = index_of(us); i <= last; ++i)
        seen += counts_[static_cast<std::size_t>(i)];
    return seen;
}

void Histogram::merge(const Histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    min_ = std::min(min_, other.min_);
    if (!exact_) return;
    if (!other.exact_ || count_ > exact_values) return forget_values();
    const bool was_empty = values_.empty();
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
    if (!other.values_.empty()) sorted_ = was_empty && other.sorted_;
}

std::int64_t Histogram::percentile(double p) const {
    if (count_ == 0) return 0;
    const std::int64_t rank = nearest_rank(count_, p);
    if (exact_) return sorted_values()[static_cast<std::size_t>(rank - 1)];
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        if ((seen += counts_[i]) >= rank) return std::min(value_at(static_cast<int>(i)), max_);
    return max_;
}

std::vector<std::pair<int, std::int64_t>> Histogram::buckets() const {
    std::vector<std::pair<int, std::int64_t>> kept;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i] > 0) kept.emplace_back(static_cast<int>(i), counts_[i]);
    return kept;
}

std::optional<Histogram> Histogram::from_buckets(
    const std::vector<std::pair<int, std::int64_t>>& buckets, std::int64_t min, std::int64_t max) {
    Histogram h;
    h.forget_values();  // (the buckets say how many, not which values)
    int lowest = powers << sub_bits, highest = -1;
    for (auto [index, count] : buckets) {
        if (index < 0 || index >= (powers << sub_bits) || count < 1 ||
            count > (std::int64_t{1} << 50))
            return std::nullopt;
        h.counts_[static_cast<std::size_t>(index)] += count;
        h.count_ += count;
        lowest = std::min(lowest, index), highest = std::max(highest, index);
    }
    if (h.count_ == 0) {
        h.exact_ = true;  // (nothing recorded: nothing to be imprecise about)
        return h;
    }
    if (min < 0 || min > max || index_of(min) != lowest || index_of(max) != highest)
        return std::nullopt;
    h.min_ = min, h.max_ = max;
    return h;
}

}  // namespace lab
