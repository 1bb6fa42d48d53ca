// `lab diff` on results folders made up here (no timed run): a run against itself says "~"
// everywhere, a run ten times faster says the ratio the two folders hold, a damaged folder is
// refused.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness/rank_test.hpp"
#include "lab/figures/figure_value.hpp"
#include "lab/report/run_diff.hpp"
#include "lab/results/reader.hpp"
#include "lab/results/writer.hpp"
#include "lab/run/row_verdict.hpp"
#include "made_up_run.hpp"
#include "support.hpp"

namespace fs = std::filesystem;

namespace {

lab::Scenario blocking_async() {
    for (lab::Scenario& s : test::shipped())
        if (s.name == "blocking-async") return s;
    FAIL("no blocking-async scenario");
    return {};
}

// A run's figures measured again from its moved records, as the runner and a folder's reader
// measure them: each batch summed up, each row judged, then every figure.
lab::RunResult measured_again(lab::RunResult run) {
    for (auto& r : run.configurations) {
        for (auto& batch : r.batches) batch.stats = lab::summarize(batch);
        lab::judge(r, r.load);
    }
    lab::measure_figures(run);
    return run;
}

// The run with each request answered `by(k)` µs later, k its place among all the run's requests.
template <class By>
lab::RunResult answered_later(lab::RunResult run, By by) {
    int k = 0;
    for (auto& r : run.configurations)
        for (auto& batch : r.batches)
            for (auto& q : batch.requests) q.end_us += by(k++);
    return measured_again(std::move(run));
}

// The same run with every moment `by` times sooner: the fixed code's run, as a folder would hold
// it.
lab::RunResult sooner(lab::RunResult run, std::int64_t by) {
    for (auto& r : run.configurations)
        for (auto& batch : r.batches)
            for (auto* records : {&batch.requests, &batch.probes})
                for (auto& q : *records)
                    for (std::int64_t* t : {&q.intended_us, &q.send_us, &q.server_start_us,
                                            &q.server_end_us, &q.first_byte_us, &q.end_us})
                        if (*t > 0) *t /= by;
    return measured_again(std::move(run));
}

}  // namespace

TEST_CASE(
    "the rank test: identical batches cannot be told apart, five clearly apart can, three never "
    "can",
    "[unit]") {
    CHECK(lab::rank_test({1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}).p == Approx(1));
    CHECK(lab::rank_test({5, 6, 7, 8, 9}, {1, 2, 3, 4, 0.5}).p ==
          Approx(2.0 / 252));  // the one most extreme split of 252, either side
    const lab::RankTest three = lab::rank_test({5, 6, 7}, {1, 2, 3});
    CHECK(three.p == Approx(0.1));
    CHECK(three.could_tell_with == 4);
    CHECK(lab::rank_test(std::vector<double>(30, 2), std::vector<double>(30, 1)).p <
          1e-6);  // the normal approximation
}

TEST_CASE(
    "lab diff: a run against itself is '~' everywhere; against a run ten times faster, the ratio "
    "the folders hold",
    "[unit]") {
    test::ScratchDir dir;
    const fs::path a_dir = lab::write_results(test::made_up_run(blocking_async()), dir.path / "a");
    const fs::path b_dir =
        lab::write_results(sooner(test::made_up_run(blocking_async()), 10), dir.path / "b");
    const lab::RunResult a = lab::read_results(a_dir), b = lab::read_results(b_dir);

    const lab::RunDiff same = lab::diff_runs(a, a);
    CHECK(same.differs.empty());
    REQUIRE(!same.figures.empty());
    for (const lab::FigureChange& c : same.figures) {
        INFO(c.configuration << " " << c.figure << ": " << c.significance());
        CHECK((c.significance().empty() || c.significance().front() == '~'));
    }

    const lab::RunDiff faster = lab::diff_runs(a, b);
    CHECK(faster.differs.empty());
    for (std::size_t i = 0; i < a.configurations.size(); ++i) {
        auto c = std::find_if(faster.figures.begin(), faster.figures.end(),
                              [&](const lab::FigureChange& x) {
                                  return x.figure == "measured" &&
                                         x.configuration == a.configurations[i].configuration.label;
                              });
        REQUIRE(c != faster.figures.end());
        CHECK(*c->ratio ==
              Approx(b.configurations[i].makespan.median / a.configurations[i].makespan.median));
        CHECK(c->significance() == "p<0.001");  // every one of B's 5 × 9 requests shorter
    }
    // B run with another d (`--delay 50`): its labels name it, and its rows still pair by place,
    // every figure compared, the change said
    lab::RunResult other_d = b;
    for (auto& r : other_d.configurations) r.configuration.label += " (d = 50 ms)";
    const lab::RunDiff across = lab::diff_runs(a, other_d);
    CHECK(across.only_a.empty());
    CHECK(across.only_b.empty());
    CHECK(across.figures.size() == faster.figures.size());
    CHECK(across.shared.size() == a.configurations.size());
    CHECK(std::ranges::count_if(across.differs, [](const std::string& line) {
              return line.starts_with("a row: A ") && line.ends_with(" (d = 50 ms)");
          }) == static_cast<long>(a.configurations.size()));
    const std::string said = lab::change_sentence(faster);
    CHECK(said.find("your change: " + faster.figures.front().a_text + " → " +
                    faster.figures.front().b_text) == 0);
    CHECK(said.find("× faster") != std::string::npos);

    // The command: its tables within COLUMNS and its page; a damaged folder refused with the
    // reason.
    test::Outcome shown = test::run_lab("diff " + a_dir.string() + " " + b_dir.string() +
                                        " --html " + (dir.path / "d.html").string());
    CHECK(shown.exit_code == 0);
    CHECK(test::read_file(dir.path / "d.html").find("Two runs compared") != std::string::npos);
    shown = test::run_shell("COLUMNS=70 " + std::string(LAB_BINARY) + " diff " + a_dir.string() +
                            " " + a_dir.string() + " --html " + (dir.path / "e.html").string());
    CHECK(test::longest_line(shown.output) <= 70);
    std::ofstream(b_dir / "summary.json", std::ios::trunc) << "{";
    const test::Outcome refused = test::run_lab("diff " + a_dir.string() + " " + b_dir.string());
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find("summary.json: not valid JSON") != std::string::npos);
}

TEST_CASE(
    "an exercise's check against the one before: its 3 batches a side say a real change's "
    "significance over the requests' own times, and '~' for noise",
    "[unit]") {
    lab::Scenario s = blocking_async();
    s.load.repeat =
        3;  // as every exercise's load: no rank test over 3 batches a side gets below p = 0.1
    // Noise: each request ±1 ms about its recorded time, the two checks 0.1 ms apart on average.
    auto jitter = [](int k) { return static_cast<std::int64_t>((k * 379) % 2000) - 1000; };
    const lab::RunResult before = answered_later(test::made_up_run(s), jitter);
    const lab::RunResult again =
        answered_later(test::made_up_run(s), [&](int k) { return jitter(k + 7) + 100; });
    const lab::RunResult fixed = sooner(test::made_up_run(s), 10);
    auto makespan = [](const lab::RunDiff& d) {
        auto c = std::find_if(d.figures.begin(), d.figures.end(),
                              [](const lab::FigureChange& x) { return x.figure == "measured"; });
        REQUIRE(c != d.figures.end());
        return *c;
    };
    auto batches_alone = [](const lab::RunResult& a, const lab::RunResult& b) {
        std::vector<double> in_a, in_b;
        for (const auto& batch : a.configurations[0].batches)
            in_a.push_back(batch.stats.makespan_s);
        for (const auto& batch : b.configurations[0].batches)
            in_b.push_back(batch.stats.makespan_s);
        return lab::rank_test(in_a, in_b);
    };
    CHECK(batches_alone(before, fixed).could_tell_with == 4);  // why the requests are asked

    const lab::FigureChange real = makespan(lab::diff_runs(before, fixed));
    CHECK(std::string(real.over) == "requests");
    CHECK(real.test.p < 0.001);
    CHECK(real.significance() == "p<0.001");
    CHECK(lab::change_sentence(lab::diff_runs(before, fixed)).find("(p<0.001") !=
          std::string::npos);

    const lab::FigureChange noise = makespan(lab::diff_runs(before, again));
    INFO(noise.significance());
    CHECK(noise.test.p > lab::telling_p);
    CHECK(noise.significance().rfind("~ p=", 0) == 0);
    CHECK(lab::change_sentence(lab::diff_runs(before, again)).find("(~: within the noise") !=
          std::string::npos);
}

// 0.101 s → 0.102 s was "p<0.001": sure, and meaningless. A change under the threshold (5 % of A
// unless `lab diff --threshold` says) is no change that matters, its p-value still shown; a
// figure that cannot vary (one process answers every request: 100 %) is left out.
TEST_CASE("lab diff: a sure change smaller than the threshold is no change that matters",
          "[unit]") {
    lab::Scenario s = blocking_async();
    const lab::RunResult a = test::made_up_run(s);
    const lab::RunResult b = answered_later(test::made_up_run(s), [](int) { return 1000; });
    auto measured = [](const lab::RunDiff& d) {
        auto c = std::find_if(d.figures.begin(), d.figures.end(),
                              [](const lab::FigureChange& x) { return x.figure == "measured"; });
        REQUIRE(c != d.figures.end());
        return *c;
    };
    const lab::FigureChange small = measured(lab::diff_runs(a, b));
    INFO(small.ratio_text() << " " << small.significance());
    CHECK(small.test.p <= lab::telling_p);
    CHECK(small.significance().rfind("no change that matters: under 5 % (p", 0) == 0);
    CHECK_FALSE(small.told_apart());
    const lab::FigureChange strict = measured(lab::diff_runs(a, b, 0));
    CHECK(strict.significance().rfind("p", 0) == 0);
    CHECK(strict.told_apart());
    for (const auto& c : lab::diff_runs(a, b).figures) CHECK(c.figure != "busiest_worker");
}

TEST_CASE("a row whose server held all 20 at once while PostgreSQL ran one says both figures",
          "[unit]") {
    lab::Batch batch;
    for (int i = 0; i < 20; ++i) {
        lab::RequestRecord r;
        r.index = i;
        r.intended_us = r.send_us = r.server_start_us = 0;
        r.server_end_us = (i + 1) * 100'000;  // (the pool of 1: one query after another)
        r.end_us = r.server_end_us + 100;
        r.status = 200;
        batch.requests.push_back(r);
    }
    lab::ConfigurationResult r;
    r.load.requests = r.load.concurrency = 20;
    r.batches.emplace_back(batch);
    r.batches[0].stats = lab::summarize(batch);
    r.batches[0].stats.max_in_database = 1;
    lab::judge(r, r.load);
    CHECK(r.verdict.text() == "concurrent; PostgreSQL ran 1 at once, of the 20 in service");
    r.batches[0].stats.max_in_database = 20;
    lab::judge(r, r.load);
    CHECK(r.verdict.text() == "concurrent; PostgreSQL ran 20 at once");
}

// Issue 69: `--last 2` and `--markdown`, each by name: the two newest runs of a scenario's folder,
// older as A; the same tables in Markdown.
TEST_CASE("lab diff --last 2 takes a folder's two newest runs, A the older; --markdown", "[unit]") {
    test::ScratchDir dir;
    const fs::path runs = dir.path / "runs" / "blocking-async";
    fs::create_directories(runs);
    fs::rename(lab::write_results(test::made_up_run(blocking_async()), dir.path / "a"),
               runs / "2026-01-01T00-00-00Z");
    fs::rename(lab::write_results(sooner(test::made_up_run(blocking_async()), 10), dir.path / "b"),
               runs / "2026-01-01T00-00-01Z");
    const test::Outcome last = test::run_lab("diff --last 2 " + runs.string());
    INFO(last.output);
    CHECK(last.exit_code == 0);
    CHECK(last.output.find("2026-01-01T00-00-00Z") < last.output.find("2026-01-01T00-00-01Z"));
    CHECK(last.output.find("p<0.001") != std::string::npos);  // B ten times sooner, every batch
    const test::Outcome markdown =
        test::run_lab("diff --markdown " + (runs / "2026-01-01T00-00-00Z").string() + " " +
                      (runs / "2026-01-01T00-00-01Z").string());
    INFO(markdown.output);
    CHECK(markdown.exit_code == 0);
    CHECK(markdown.output.find("\n| ") != std::string::npos);  // a Markdown table's row
    CHECK(markdown.output.find("\n|---") != std::string::npos);
}
