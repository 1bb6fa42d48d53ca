#pragma once
// The lab's one definition of a percentile: nearest rank. Of n values sorted, the p-th percentile
// is the one at rank ceil(p/100 · n), counted from 1, and at least 1: p0 is the smallest, p100
// the largest, p50 of 50 values the 25th. Every figure the lab prints (a batch's, `lab load`'s
// summary, a histogram's, the tests' own from requests.csv) ranks with this function.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace lab {

inline std::int64_t nearest_rank(std::int64_t n, double p) {
    if (n <= 0) return 0;
    const auto rank = static_cast<std::int64_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
    return std::clamp<std::int64_t>(rank, 1, n);
}

}  // namespace lab
