#pragma once
// `lab diff`: two runs compared on what they share. Per configuration of both, each figure a
// class asks about (the makespan, the lesson's key figure, the loop held, the bystander's p50 and
// p99, the busiest worker's share) in A and in B, B over A, and whether the noise can tell the two
// apart (a rank test, as benchstat's "~": the makespan's over the requests' own times, the others'
// over the batches); each claim's mark in both runs; what differs besides the code (load, machine).
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "harness/rank_test.hpp"
#include "lab/layout.hpp"
#include "lab/report/report.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

struct FigureChange {
    std::string configuration, figure;  // "blocking-in-loop", "measured"
    std::optional<double> a = {}, b = {};  // over the whole configuration, as the report gives it
    std::string a_text = {}, b_text = {};  // "1.010 s", or "—" for not measured
    std::optional<double> ratio = {};  // b / a
    RankTest test = {};  // over the batches, or the requests' own times (the makespan)
    const char* over = "batches";  // or "requests"
    // The least change that matters, a fraction of A (`lab diff --threshold`): a smaller one is
    // no change that matters, however surely the noise tells the two apart.
    double matters = 0.05;
    // "p=0.008", "p<0.001", "~ p=0.42", "~ (4 batches a side could tell)" or "~ no change that
    // matters (0.99×, p<0.001)"
    std::string significance() const;
    bool told_apart() const;  // the noise tells A and B apart, by a change that matters
    std::string ratio_text() const;  // "0.101", "9.9", or "—"
};
struct ClaimChange {
    std::string claim, in_a, in_b;  // its mark (✓ ✗ ? –) in each run ("" if that run has none)
};
struct RunDiff {
    std::string title_a, title_b;
    // "load: A …; B …", "machine: A 2 CPUs; B 4 CPUs", "CPUs: …"
    std::vector<std::string> differs = {};
    std::vector<std::string> only_a = {}, only_b = {};  // configurations one run has, not the other
    std::vector<FigureChange> figures = {};
    // The configurations both have (in the runs compared, while they last), each with how its
    // median batch's answers were shared in A and in B: "50 % · 30 % · 20 %" (busiest first) or ""
    struct Shared {
        const ConfigurationResult *in_a, *in_b;
        std::string shares_a, shares_b;
    };
    std::vector<Shared> shared = {};
    std::vector<ClaimChange> claims = {};
};
// `matters`: the least change that matters, a fraction of A (FigureChange::matters). A figure that
// cannot vary (the busiest worker's share where one process serves) is left out.
RunDiff diff_runs(const RunResult& a, const RunResult& b, double matters = 0.05);

// The diff as text (terminal within layout.columns, never dropping a column; or Markdown), with
// both runs' timelines of each shared configuration on one time axis.
void print_diff(std::ostream& out, const RunDiff& diff, const RunResult& a, const RunResult& b,
                TextStyle style, const Layout& layout);
// The same as a page (lab/report/diff.html.mustache), every outside text escaped by escape().
std::string html_diff(const RunDiff& diff, const RunResult& a, const RunResult& b);

// `lab exercise check`'s "your change: 1.010 s → 0.102 s, 9.9× faster; the loop held 1003 → 2 ms".
std::string change_sentence(const RunDiff& diff);

}  // namespace lab
