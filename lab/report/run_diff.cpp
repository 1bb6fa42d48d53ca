#include "lab/report/run_diff.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include "lab/figures/figure_value.hpp"
#include "lab/report/claims.hpp"
#include "lab/report/timeline.hpp"

namespace lab {

namespace {

// The figures the diff compares: the makespan, the lesson's key figures, the loop held, the
// bystander's p50 and p99 and the busiest worker's share, each once.
std::vector<Figure> compared(const Scenario& s) {
    std::vector<Figure> figures{Figure::measured};
    for (Figure f : figures_beside(s.key_figure)) figures.push_back(f);
    figures.insert(figures.end(), {Figure::loop_blocked, Figure::probe_p50, Figure::probe_p99,
                                   Figure::busiest_worker});
    std::vector<Figure> out;
    for (Figure f : figures)
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    return out;
}

// The figure in A and in B, and whether the two differ more than their noise. A figure with one
// value a batch is tested over the batches; the makespan over the requests' own times instead:
// the makespan is the last of them, and an exercise's 3 batches a side cannot reach p < 0.05 with
// any rank test (their clearest split is p = 0.1), where its 10 requests a batch give 30 a side
// and no extra batch to wait for. (A batch's requests share its moment on the machine: a whole
// run's drift counts as a change, as a benchmark's would.)
FigureChange change_of(Figure f, const ConfigurationResult& ra, const RunResult& a,
                       const ConfigurationResult& rb) {
    FigureChange ch{.configuration = ra.configuration.label, .figure = name_of(f)};
    ch.a = ra.figure(f);
    ch.b = rb.figure(f);
    ch.a_text = ch.a ? figure_text(f, *ch.a) : "—";
    ch.b_text = ch.b ? figure_text(f, *ch.b) : "—";
    if (ch.a && ch.b && *ch.a > 0) ch.ratio = *ch.b / *ch.a;
    if (f == Figure::measured && a.scenario.load.rate <= 0) {
        ch.over = "requests";
        ch.test = rank_test(answered_ms(ra), answered_ms(rb));
        return ch;
    }
    std::vector<double> in_a, in_b;
    for (auto [r, values] : {std::pair{&ra, &in_a}, {&rb, &in_b}})
        for (const BatchRecord& batch : r->batches)
            if (auto v = batch.figure(f)) values->push_back(*v);
    ch.test = rank_test(in_a, in_b);
    return ch;
}

// "50 % · 30 % · 20 %": how the median batch's answers were shared, busiest worker first.
std::string shares(const ConfigurationResult& r) {
    if (r.batches.empty() || r.batches[r.median_batch].stats.ok == 0) return "";
    const BatchStats& s = r.batches[r.median_batch].stats;
    std::string out;
    for (std::int64_t pid : workers_busiest_first(r))
        out += (out.empty() ? "" : " · ") + fixed(100.0 * s.per_worker.at(pid) / s.ok, 0) + " %";
    return out;
}

// Where a row stands in its lesson: its place in the file (0: added by an option), whether it
// is a FastAPI twin, and its order among the rows so placed (a sweep's points). Rows pair by it,
// not by their labels, which name what a run changes (`--delay 50`: "time.sleep(0.05)").
struct Place {
    int number = 0;
    bool twin = false;
    int nth = 0;
    bool operator==(const Place&) const = default;
};
Place place_of(const RunResult& run, const ConfigurationResult& r) {
    Place p{r.configuration.number, r.configuration.server == Server::fastapi};
    for (const auto& other : run.configurations) {
        if (&other == &r) break;
        p.nth += other.configuration.number == p.number &&
                 (other.configuration.server == Server::fastapi) == p.twin;
    }
    return p;
}

// The row at `p` that ran (measured batches, no error), if any.
const ConfigurationResult* at_place(const RunResult& run, const Place& p) {
    for (const auto& r : run.configurations)
        if (place_of(run, r) == p && r.error.empty() && !r.batches.empty()) return &r;
    return nullptr;
}

}  // namespace

std::string FigureChange::significance() const {
    if (!a || !b) return "";
    if (test.could_tell_with > 0)
        return "~ (" + std::to_string(test.could_tell_with) + " " + over + " a side could tell)";
    const std::string p = test.p < 0.001 ? "p<0.001" : "p=" + fixed(test.p, test.p < 0.01 ? 3 : 2);
    if (test.p <= telling_p && !told_apart())  // (told apart, so never "~": too small to matter)
        return "no change that matters: under " + fixed(matters * 100, 0) + " % (" + p + ")";
    return (test.p <= telling_p ? "" : "~ ") + p;
}

bool FigureChange::told_apart() const {
    const bool matters_enough = !ratio || std::abs(*ratio - 1) >= matters;
    return a && b && test.could_tell_with == 0 && test.p <= telling_p && matters_enough;
}

std::string FigureChange::ratio_text() const {
    return ratio ? fixed(*ratio, *ratio >= 10 ? 1 : 3) : "—";
}

RunDiff diff_runs(const RunResult& a, const RunResult& b, double matters) {
    RunDiff d{.title_a = a.scenario.title, .title_b = b.scenario.title};
    auto differ = [&](const std::string& what, const std::string& in_a, const std::string& in_b) {
        if (in_a != in_b) d.differs.push_back(what + ": A " + in_a + "; B " + in_b);
    };
    differ("lesson", a.scenario.name, b.scenario.name);
    differ("load", load_line(a), load_line(b));
    differ("machine", count_of(a.cores, "CPU"), count_of(b.cores, "CPU"));
    auto awake = [](const RunResult& r) {
        return std::string(r.cpus_kept_awake ? "idle CPUs kept awake" : "idle CPUs let sleep");
    };
    differ("CPUs", awake(a), awake(b));
    for (const auto& ra : a.configurations) {
        const Place place = place_of(a, ra);
        const ConfigurationResult *in_a = at_place(a, place), *rb = at_place(b, place);
        if (!rb || !in_a) {
            d.only_a.push_back(ra.configuration.label);
            continue;
        }
        if (rb->configuration.label != ra.configuration.label)  // (what the run changed in it)
            d.differs.push_back("a row: A " + ra.configuration.label + "; B " +
                                rb->configuration.label);
        for (Figure f : compared(a.scenario)) {
            if (f == Figure::busiest_worker && !served_by_processes(ra.configuration))
                continue;  // (one process answers all: 100 % in any run)
            FigureChange ch = change_of(f, ra, a, *rb);
            ch.matters = matters;
            if (ch.a || ch.b) d.figures.push_back(std::move(ch));
        }
        d.shared.push_back({in_a, rb, shares(ra), shares(*rb)});
    }
    for (const auto& rb : b.configurations)
        if (!at_place(a, place_of(b, rb)) || !at_place(b, place_of(b, rb)))
            d.only_b.push_back(rb.configuration.label);
    for (const CheckedClaim& c : check_claims(a))
        d.claims.push_back({c.claim, outcome_mark(c.outcome), ""});
    for (const CheckedClaim& c : check_claims(b)) {
        auto same = std::find_if(d.claims.begin(), d.claims.end(), [&](const ClaimChange& x) {
            return x.claim == c.claim && x.in_b.empty();
        });
        if (same != d.claims.end()) same->in_b = outcome_mark(c.outcome);
        else d.claims.push_back({c.claim, "", outcome_mark(c.outcome)});
    }
    return d;
}

void print_diff(std::ostream& out, const RunDiff& d, const RunResult& a, const RunResult& b,
                TextStyle style, const Layout& layout) {
    const bool md = style == TextStyle::markdown;
    const int width = layout.wide || md ? 100'000 : layout.columns;
    const std::string heading = md ? "\n## " : "\n";
    out << wrap("A: " + d.title_a, width) << wrap("B: " + d.title_b, width) << heading
        << wrap(
               d.differs.empty()
                   ? "Same lesson, load, machine and CPU setting: only the code or the run differs."
                   : "What differs besides the code (compared only on what both have):",
               width);
    for (const std::string& line : d.differs) out << wrap("- " + line, width);
    if (!d.only_a.empty() || !d.only_b.empty())
        out << wrap("Not compared (in one run only): " + std::to_string(d.only_a.size()) +
                        " of A's rows, " + std::to_string(d.only_b.size()) + " of B's",
                    width);
    Column label{.header = "configuration", .wraps = true}, figure{.header = "figure"};
    Column in_a{.header = "A"}, in_b{.header = "B"}, ratio{.header = "B/A"};
    Column batches{.header = "told apart?", .narrow_header = "p", .wraps = true};
    for (const FigureChange& c : d.figures) {
        label.cells.push_back(c.configuration), figure.cells.push_back(c.figure);
        in_a.cells.push_back(c.a_text), in_b.cells.push_back(c.b_text);
        ratio.cells.push_back(c.ratio_text()), batches.cells.push_back(c.significance());
    }
    out << heading
        << wrap(
               "Each figure in A and B (\"~\": the noise cannot tell them apart; the makespan "
               "tested over the requests' own times, the rest over the batches)",
               width);
    print_table(out, {label, figure, in_a, in_b, ratio, batches}, layout, md);
    Column shared{.header = "configuration", .wraps = true},
        share_a{.header = "A: worker shares", .wraps = true},
        share_b{.header = "B: worker shares", .wraps = true};
    for (const RunDiff::Shared& both : d.shared)
        shared.cells.push_back(both.in_a->configuration.label),
            share_a.cells.push_back(both.shares_a), share_b.cells.push_back(both.shares_b);
    if (!shared.cells.empty()) print_table(out << '\n', {shared, share_a, share_b}, layout, md);
    Column claim{.header = "claim", .wraps = true}, mark_a{.header = "A"}, mark_b{.header = "B"};
    for (const ClaimChange& c : d.claims)
        claim.cells.push_back(c.claim), mark_a.cells.push_back(c.in_a),
            mark_b.cells.push_back(c.in_b);
    if (!d.claims.empty())
        print_table(out << heading << "The lesson's claims in each run\n", {claim, mark_a, mark_b},
                    layout, md);
    const std::int64_t axis = std::max(shared_axis_us(a), shared_axis_us(b));
    out << heading << "Timelines, A above B, on one time axis (" << seconds_text(axis) << ")\n"
        << (md ? "\n```\n" : "");
    for (const RunDiff::Shared& both : d.shared)
        out << wrap("A: " + both.in_a->configuration.label, width)
            << timeline(*both.in_a, a.scenario.load, layout, axis)
            << wrap("B: " + both.in_b->configuration.label, width)
            << timeline(*both.in_b, b.scenario.load, layout, axis);
    out << (md ? "```\n" : "");
}

std::string change_sentence(const RunDiff& d) {
    auto of = [&](const char* figure) {
        auto c = std::ranges::find(d.figures, figure, &FigureChange::figure);
        return c != d.figures.end() && c->a && c->b ? &*c : nullptr;
    };
    const FigureChange* took = of("measured");
    if (!took) return "";
    std::string s = "your change: " + took->a_text + " → " + took->b_text;
    if (*took->a > 0 && *took->b > 0) {
        const double times = *took->a >= *took->b ? *took->a / *took->b : *took->b / *took->a;
        s += ", " + fixed(times, times >= 10 ? 0 : 1) +
             (*took->a >= *took->b ? "× faster" : "× slower");
    }
    s += took->told_apart() ? " (" + took->significance() + ", over the requests' own times)"
         : took->test.could_tell_with == 0 && took->test.p <= telling_p
             ? " (" + took->significance() + ")"  // (sure, but under the threshold)
             : " (~: within the noise of the requests' own times)";
    if (const FigureChange* held = of("loop_blocked"))
        s += "; the loop held " + held->a_text + " → " + held->b_text;
    return s;
}

}  // namespace lab
