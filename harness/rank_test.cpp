#include "harness/rank_test.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lab {

namespace {

// Splits of n things into k and n − k (capped: past the cap only "many" matters).
double splits(std::size_t n, std::size_t k) {
    double c = 1;
    for (std::size_t i = 1; i <= k; ++i)
        c = c * static_cast<double>(n - k + i) / static_cast<double>(i);
    return c;
}

// Each value's rank among all of them, tied values sharing the mean of their ranks; and the ties'
// Σ (t³ − t) over groups of t equal values, which the normal approximation corrects for.
std::vector<double> midranks(const std::vector<double>& pooled, double& ties) {
    std::vector<std::size_t> order(pooled.size());
    std::iota(order.begin(), order.end(), 0);
    std::ranges::sort(order, {}, [&](std::size_t x) { return pooled[x]; });
    std::vector<double> rank(pooled.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && pooled[order[j + 1]] == pooled[order[i]]) ++j;
        for (std::size_t t = i; t <= j; ++t) rank[order[t]] = static_cast<double>(i + j) / 2.0 + 1;
        const double t = static_cast<double>(j - i + 1);
        ties += t * t * t - t;
        i = j + 1;
    }
    return rank;
}

// The share of all splits whose first part's rank sum is at least as far from its mean as A's.
double exact_p(const std::vector<double>& rank, std::size_t n1, double gap, double mean) {
    double total = 0, extreme = 0;
    auto walk = [&](auto& self, std::size_t from, std::size_t left, double sum) -> void {
        if (left == 0) {
            ++total;
            extreme += std::abs(sum - mean) >= gap - 1e-9;
            return;
        }
        for (std::size_t i = from; i + left <= rank.size(); ++i)
            self(self, i + 1, left - 1, sum + rank[i]);
    };
    walk(walk, 0, n1, 0.0);
    return extreme / total;
}

double normal_p(double n1, double n2, double gap, double ties) {
    const double n = n1 + n2;
    const double variance = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)));
    return variance <= 0 ? 1.0 : std::erfc(gap / std::sqrt(variance) / std::sqrt(2.0));
}

}  // namespace

RankTest rank_test(const std::vector<double>& a, const std::vector<double>& b) {
    RankTest t;
    if (a.empty() || b.empty()) return t;
    // The clearest difference (every A below every B) has p = 2 / splits: too few batches never get
    // below telling_p.
    if (2 / splits(a.size() + b.size(), a.size()) > telling_p) {
        t.could_tell_with = 1;
        while (2 / splits(2 * static_cast<std::size_t>(t.could_tell_with),
                          static_cast<std::size_t>(t.could_tell_with)) >
               telling_p)
            ++t.could_tell_with;
    }
    std::vector<double> pooled = a;
    pooled.insert(pooled.end(), b.begin(), b.end());
    double ties = 0;
    const std::vector<double> rank = midranks(pooled, ties);
    const double mean =
        static_cast<double>(a.size()) * static_cast<double>(pooled.size() + 1) / 2.0;
    const double gap = std::abs(
        std::accumulate(rank.begin(), rank.begin() + static_cast<long>(a.size()), 0.0) - mean);
    t.p = splits(pooled.size(), a.size()) <= 184'756
              ? exact_p(rank, a.size(), gap, mean)
              : normal_p(static_cast<double>(a.size()), static_cast<double>(b.size()), gap, ties);
    return t;
}

}  // namespace lab
