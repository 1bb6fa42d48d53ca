#pragma once
// Whether two sets of batches differ more than their noise: the Mann–Whitney U test (a rank
// test: it asks only which values are larger, so one disturbed batch cannot sway it), two-sided.
#include <vector>

namespace lab {

inline constexpr double telling_p = 0.05;  // below it, the batches tell the two apart

struct RankTest {
    double p = 1;
    // > 0: these few batches cannot reach telling_p at all; this many a side could
    int could_tell_with = 0;
};

// Exact over every split of the pooled values (ties as midranks) up to 184,756 splits (10 a side),
// else by the normal approximation with the ties' correction.
RankTest rank_test(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace lab
