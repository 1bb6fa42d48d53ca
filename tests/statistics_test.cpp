#include <catch2/catch.hpp>

#include <algorithm>

#include "harness/histogram.hpp"
#include "lab/modes/model.hpp"
#include "harness/nearest_rank.hpp"
#include "harness/statistics.hpp"
#include "lab/modes/modes.hpp"  // model_of: each mode's own model

namespace {
// n requests of d_us each, served `at_once` at a time, all sent at 0.
lab::Batch waves(int n, int at_once, std::int64_t d_us) {
    lab::Batch b;
    for (int i = 0; i < n; ++i) {
        lab::RequestRecord r;
        r.index = i;
        r.intended_us = r.send_us = 0;
        r.server_start_us = (i / at_once) * d_us;
        r.server_end_us = r.server_start_us + d_us;
        r.end_us = r.server_end_us + 100;
        r.status = 200;
        r.worker_pid = 1000 + i % at_once;
        b.requests.push_back(r);
    }
    return b;
}
}  // namespace

TEST_CASE("percentiles use nearest rank", "[unit]") {
    std::vector<double> v{5, 1, 4, 2, 3};
    CHECK(lab::percentile(v, 0) == 1);
    CHECK(lab::percentile(v, 50) == 3);
    CHECK(lab::percentile(v, 100) == 5);
    CHECK(lab::percentile({}, 50) == 0);
    auto s = lab::spread_of({3, 1, 2, 4});
    CHECK(s.median == 2.5);
    CHECK(s.min == 1);
    CHECK(s.max == 4);
}

TEST_CASE("intervals that touch do not overlap", "[unit]") {
    CHECK(lab::max_overlap({{0, 10}, {10, 20}, {20, 30}}) == 1);
    CHECK(lab::max_overlap({{0, 10}, {5, 20}, {6, 7}}) == 3);
    CHECK(lab::max_overlap({}) == 0);
}

TEST_CASE("a blocked loop's batch reads as sequential", "[unit]") {
    auto s = lab::summarize(waves(10, 1, 100'000));
    CHECK(s.ok == 10);
    CHECK(s.makespan_s == Approx(1.0001));
    CHECK(s.effective_concurrency == Approx(1.0).epsilon(0.01));
    CHECK(s.max_in_service == 1);
    CHECK(s.latency_p50_s == Approx(0.5001));
    CHECK(lab::verdict(s, 10, 10).text() == "sequential");
}

TEST_CASE("requests served faster than a round trip are instant, never sequential", "[unit]") {
    // Served in 50 µs each, one after another, where a round trip adds 60 µs or more to any answer.
    auto sent_apart = [](lab::Batch b) {
        for (auto& r : b.requests) r.send_us = r.index * 200;
        return b;
    };
    lab::Batch instant = sent_apart(waves(10, 1, 50));
    for (auto& r : instant.requests)
        r.server_start_us = r.send_us + 30, r.server_end_us = r.server_start_us + 50,
        r.end_us = r.server_end_us + 30;
    auto s = lab::summarize(instant);
    CHECK(s.max_in_service == 1);
    CHECK(s.round_trip_s == Approx(0.00006));
    CHECK(lab::too_fast_to_tell(s));
    CHECK(lab::verdict(s, 10, 10).served == lab::Served::instant);
    CHECK(lab::verdict(s, 10, 10).text().starts_with(lab::instant_verdict));
    // Each request 100 ms, one after another: that is a server serving in turn, and it shows.
    auto blocked = lab::summarize(sent_apart(waves(10, 1, 100'000)));
    CHECK_FALSE(lab::too_fast_to_tell(blocked));
    CHECK(lab::verdict(blocked, 10, 10).text() == "sequential");
    // uvloop holds back every answer its blocked loop wrote until the loop is free: all ten come
    // at the end, each 0.9 s or more past its service, yet each way alone was quick (the first
    // request's way in, the last's way back). Said "instant" before: sequential, as it was.
    lab::Batch held_back = waves(10, 1, 100'000);
    for (auto& r : held_back.requests) r.end_us = 10 * 100'000 + 1000;
    auto uvloop = lab::summarize(held_back);
    CHECK(uvloop.round_trip_s == Approx(0.001));
    CHECK(lab::verdict(uvloop, 10, 10).text() == "sequential");
}

TEST_CASE("verdicts: concurrent, limited, failed", "[unit]") {
    CHECK(lab::verdict(lab::summarize(waves(10, 10, 100'000)), 10, 10).text() == "concurrent");
    auto limited = lab::summarize(waves(10, 4, 100'000));
    CHECK(limited.max_in_service == 4);
    CHECK(limited.per_worker.size() == 4);
    CHECK(lab::verdict(limited, 10, 10).text() == "limited to 4 at a time");
    lab::Batch failed = waves(3, 1, 1000);
    for (auto& r : failed.requests) r.error = lab::ErrorKind::connect;
    auto f = lab::summarize(failed);
    CHECK(f.failed == 3);
    CHECK(lab::verdict(f, 3, 3).text() == "failed");
}

TEST_CASE("a verdict's words read back as the verdict they say", "[unit]") {
    for (const char* text :
         {"sequential", "concurrent; PostgreSQL ran 10 at once", "limited to 4 at a time",
          "limited to 12 at a time; computing 12 at once", "failed: timeout", "failed",
          "instant: too fast to tell; too quick", "sequential — like “blocked” (1.000 s)",
          "GET /health answered meanwhile: 1.9 ms at worst", "limited to many at a time", ""}) {
        INFO(text);
        CHECK(lab::Verdict::read(text).text() == text);  // summary.json's words, kept
    }
    lab::Verdict limited = lab::Verdict::read("limited to 12 at a time; computing 12 at once");
    CHECK(limited.served == lab::Served::limited);
    CHECK(limited.at_once == 12);
    CHECK(limited.detail == "; computing 12 at once");
    CHECK(lab::Verdict::read("failed: timeout").served == lab::Served::failed);
    CHECK(lab::Verdict::read("limited to many at a time").served == lab::Served::said);
    CHECK(lab::Verdict::read("GET /health answered").served == lab::Served::said);
}

TEST_CASE("a failed request is counted, not dropped", "[unit]") {
    lab::Batch b = waves(5, 5, 1000);
    b.requests[2].error = lab::ErrorKind::timeout;
    auto s = lab::summarize(b);
    CHECK(s.ok == 4);
    CHECK(s.failed == 1);
}

TEST_CASE("models: ceil(N/K)·d, played out request by request", "[unit]") {
    auto blocking = lab::model_of(lab::ServerShape{"blocking-in-loop"});
    CHECK(lab::predicted_makespan_s(blocking, {10, 10, 0.1}) == Approx(1.0));
    CHECK(lab::predicted_finishes_s(blocking, {10, 10, 0.1})[3] == Approx(0.4));  // the staircase
    auto awaiting = lab::model_of(lab::ServerShape{"async-sleep"});
    CHECK(lab::predicted_makespan_s(awaiting, {10, 10, 0.1}) == Approx(0.1));
    CHECK(lab::predicted_makespan_s(awaiting, {20, 10, 0.1}) ==
          Approx(0.2));  // closed loop: 2 rounds
    // 000's event loop: three 50 ms waits arriving 1 ms apart land at 50, 51 and 52 ms.
    auto landing = lab::predicted_finishes_s(awaiting, {3, 3, 0.05, 0.001});
    CHECK(landing[0] == Approx(0.050));
    CHECK(landing[2] == Approx(0.052));
    lab::ServerShape pool{"thread-pool"};
    pool.threads = 40;
    CHECK(lab::predicted_makespan_s(lab::model_of(pool), {100, 100, 0.1}) == Approx(0.3));
    pool.threads = 100;
    CHECK(lab::predicted_makespan_s(lab::model_of(pool), {100, 100, 0.1}) == Approx(0.1));
    CHECK(lab::predicted_makespan_s(lab::model_of(lab::ServerShape{"multi-process"}),
                                    {10, 10, 0.1}) == Approx(0.3));
    lab::ServerShape sequential{"async-sleep"};
    sequential.sequential_client = true;
    CHECK(lab::predicted_makespan_s(lab::model_of(sequential), {3, 3, 1.0}) == Approx(3.0));
}

TEST_CASE("database models: a pool of P connections runs waves of P; the blocking loop, one",
          "[unit]") {
    lab::ServerShape awaiting{"async-sleep"};
    for (auto [pool, seconds] :
         {std::pair{1, 2.0}, {5, 0.4}, {20, 0.1}}) {  // 20 queries of 0.1 s (db-pool)
        awaiting.db_pool = pool;
        CHECK(lab::predicted_makespan_s(lab::model_of(awaiting), {20, 20, 0.1}) == Approx(seconds));
    }
    lab::ServerShape threads{"thread-pool"};
    threads.db_pool = 10;  // fewer connections than threads: the pool is the limit
    CHECK(lab::predicted_makespan_s(lab::model_of(threads), {40, 40, 0.1}) == Approx(0.4));
    lab::ServerShape blocking{"blocking-in-loop"};
    blocking.db_pool = 10;
    CHECK(lab::predicted_makespan_s(lab::model_of(blocking), {10, 10, 0.1}) == Approx(1.0));
}

TEST_CASE("CPU models: the loop and the GIL serialize, threads share the cores", "[unit]") {
    lab::ServerShape loop{"async-sleep"};
    loop.cpu_work = true;
    loop.cores = 2;
    CHECK(lab::predicted_makespan_s(lab::model_of(loop), {10, 10, 0.1}) == Approx(1.0));
    lab::ServerShape pool{"thread-pool"};
    pool.cpu_work = true;
    pool.cores = 2;
    pool.gil = true;
    CHECK(lab::predicted_makespan_s(lab::model_of(pool), {10, 10, 0.1}) == Approx(1.0));
    pool.gil = false;
    CHECK(lab::predicted_makespan_s(lab::model_of(pool), {10, 10, 0.1}) == Approx(0.5));
    CHECK(lab::predicted_makespan_s(lab::model_of(pool), {5, 5, 0.2}) ==
          Approx(0.5));  // preempted, not in waves
    CHECK(lab::predicted_makespan_s(lab::model_of(pool), {1, 1, 0.2}) ==
          Approx(0.2));  // one core idles
    lab::ServerShape workers{"multi-process"};
    workers.cpu_work = true;
    workers.cores = 2;
    workers.workers = 2;
    CHECK(lab::predicted_makespan_s(lab::model_of(workers), {10, 10, 0.1}) == Approx(0.5));
}

TEST_CASE("the histogram's percentiles are within 1% over six decades", "[unit]") {
    lab::Histogram h, other;
    std::vector<double> exact;
    for (std::int64_t v = 1; v <= 10'000'000; v = v * 11 / 10 + 1) {
        (v % 2 ? h : other).record(v);
        exact.push_back(static_cast<double>(v));
    }
    h.merge(other);
    CHECK(h.count() == static_cast<std::int64_t>(exact.size()));
    REQUIRE(h.exact());  // (a few hundred values: it holds each of them)
    for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0})
        CHECK(static_cast<double>(h.percentile(p)) == lab::percentile(exact, p));
    h.forget_values();  // its buckets alone, as past requests.csv's limit or read back from a
                        // folder
    for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
        INFO("p" << p);
        double want = lab::percentile(exact, p);
        CHECK(std::abs(static_cast<double>(h.percentile(p)) - want) <= want * 0.01);
    }
    CHECK(h.max() == static_cast<std::int64_t>(exact.back()));
    CHECK(lab::Histogram{}.percentile(50) == 0);
}

TEST_CASE(
    "fifty answers within 10 ms at 800 ms: the histogram's percentiles and counts are the answers' "
    "own",
    "[unit]") {
    // The spread `lab load -n 50 -c 10` once measured, 10/0/0/0/11/19/6/0/0/4 over ten slices of
    // 800.0 to 810.0 ms; its 4 ms buckets once read p50 = p90 = p99 = max and one slice of 50.
    std::vector<std::int64_t> answers;
    auto add = [&](int n, std::int64_t from_us) {
        for (int k = 0; k < n; ++k) answers.push_back(from_us + k * 50);
    };
    add(10, 800'000), add(11, 804'100), add(19, 805'050), add(6, 806'100), add(4, 809'600);
    answers.back() = 810'000;
    lab::Histogram h, thread_two;  // recorded by two threads, out of order, then merged
    for (std::size_t k = 0; k < answers.size(); ++k)
        (k % 2 ? h : thread_two).record(answers[answers.size() - 1 - k]);
    h.merge(thread_two);
    std::vector<double> exact(answers.begin(), answers.end());
    for (double p : {0.0, 50.0, 90.0, 99.0, 100.0}) {
        INFO("p" << p);
        CHECK(static_cast<double>(h.percentile(p)) == lab::percentile(exact, p));
    }
    CHECK(h.percentile(50) < h.percentile(90));
    for (std::int64_t edge : {800'999, 804'000, 805'000, 806'000, 809'000, 810'000}) {
        INFO("at most " << edge << " µs");
        CHECK(h.count_at_most(edge) == std::count_if(answers.begin(), answers.end(),
                                                     [&](std::int64_t us) { return us <= edge; }));
    }
}

TEST_CASE("one definition of a percentile, nearest rank: the lab's and the histogram's rank alike",
          "[unit]") {
    CHECK(lab::nearest_rank(50, 50) == 25);
    CHECK(lab::nearest_rank(50, 99) == 50);
    CHECK(lab::nearest_rank(50, 0) == 1);
    CHECK(lab::nearest_rank(3, 50) == 2);
    CHECK(lab::nearest_rank(0, 50) == 0);
}
