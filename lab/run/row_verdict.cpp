#include "lab/run/row_verdict.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>

#include <fmt/format.h>

#include "harness/statistics.hpp"

namespace lab {
namespace {

// A probed app's verdict comes from its own figures, never from overlapping stamps alone: a task
// of BaseHTTPMiddleware's starts the next request's stamp while the loop is still held, so a
// route whose code held the loop half its wait or more, a request, was served one at a time.
void judge_by_the_loop(ConfigurationResult& result, const Load& load) {
    const ServerAccount& said = result.batches[result.median_batch].server;
    const double held = said.held_per_request_ms;
    if (held < 0 || load.delay_ms <= 0 || held < 0.5 * load.delay_ms) return;
    const std::string fix =
        said.held_fix.empty() ? "make the route `def`, or await an async client" : said.held_fix;
    result.verdict = {
        Served::sequential, 0,
        fmt::format("; its own code held the loop {:.1f} ms a request{}; {} (`lab doctor` names "
                    "each such route)",
                    held, said.held_where.empty() ? "" : " (" + said.held_where + ")", fix)};
}

// What the bystander's worst wait says beside the requests: for one request, whether it was
// answered meanwhile ("GET /cache answered meanwhile: 1.9 ms at worst, while the request took
// 101.2 ms") or waited behind it; for background tasks, how long it waited while they ran.
std::optional<std::string> bystander_verdict(const ConfigurationResult& r, const Load& load) {
    std::int64_t worst_probe = -1, slowest = -1;
    for (const Batch& b : r.batches)
        for (const RequestRecord& p : b.probes)
            if (p.ok()) worst_probe = std::max(worst_probe, p.latency_us());
    for (const RequestRecord& q : r.batches[r.median_batch].requests)
        if (q.ok()) slowest = std::max(slowest, q.completion_us());
    if (worst_probe < 0 || slowest < 0) return std::nullopt;
    const double probe_ms = static_cast<double>(worst_probe) / 1000.0,
                 request_ms = static_cast<double>(slowest) / 1000.0;
    if (load.background())
        return fmt::format(
            "answered within {:.1f} ms; meanwhile GET {} waited up to {:.1f} ms while the tasks "
            "ran",
            request_ms, load.probe_path, probe_ms);
    if (worst_probe < slowest / 2)  // well inside the request's time: served while it waited
        return fmt::format(
            "GET {} answered meanwhile: {:.1f} ms at worst, while the request took {:.1f} ms",
            load.probe_path, probe_ms, request_ms);
    return fmt::format(
        "GET {} waited behind the request: {:.1f} ms at worst, the request {:.1f} ms",
        load.probe_path, probe_ms, request_ms);
}

// A row whose every request failed says how (what follows "failed"), never "failed: status" alone:
// the code the server answered (a student's app that raised answers 500, and its traceback is in
// the run's server.log), else the way the requests failed, with the system's reason where a
// connection could not be opened ("Too many open files": the shell's `ulimit -n`).
std::string how_it_failed(const Batch& batch, const Configuration& c) {
    std::map<int, int> answered;  // status -> requests
    ErrorKind first = ErrorKind::none;
    for (const RequestRecord& r : batch.requests) {
        if (r.error == ErrorKind::status) ++answered[r.status];
        if (first == ErrorKind::none) first = r.error;
    }
    if (!answered.empty()) {
        auto most = std::ranges::max_element(answered, {}, &std::pair<const int, int>::second);
        return fmt::format(": answered {} ({} of {}){}", most->first, most->second,
                           batch.requests.size(),
                           c.server == Server::app && most->first >= 500
                               ? " — your app raised: its traceback is in the run's server.log"
                               : "");
    }
    return ": " + std::string(to_string(first)) +
           (batch.connect_failure.empty() ? "" : " (" + batch.connect_failure + ")");
}

}  // namespace

// The batch nearest the median makespan (for an even count, the lower middle one), and the
// verdict its figures give, in words.
void judge(ConfigurationResult& result, const Load& load) {
    std::vector<double> makespans;
    for (const BatchRecord& b : result.batches) makespans.push_back(b.stats.makespan_s);
    result.makespan = spread_of(makespans);
    std::vector<std::size_t> order(makespans.size());
    std::iota(order.begin(), order.end(), 0);
    std::ranges::sort(order, {}, [&](std::size_t i) { return makespans[i]; });
    result.median_batch = order[(order.size() - 1) / 2];
    const BatchRecord& median = result.batches[result.median_batch];
    result.verdict = verdict(median.stats, load.requests, load.concurrency);
    if (median.stats.ok == 0) result.verdict.detail = how_it_failed(median, result.configuration);
    // One request, or answers before their work (202): nothing to serve one at a time or at once.
    // What such a lesson teaches is how its bystander fared beside them.
    if (!load.probe_path.empty() && (load.requests == 1 || load.background()))
        if (auto said = bystander_verdict(result, load)) result.verdict = {Served::said, 0, *said};
    // (fewer in PostgreSQL than in service: the figure beside it, so "concurrent" reads true of
    // the server, not of the queries)
    if (int in_db = median.stats.max_in_database; in_db >= 0)
        result.verdict.detail +=
            "; PostgreSQL ran " + std::to_string(in_db) + " at once" +
            (in_db < median.stats.max_in_service
                 ? fmt::format(", of the {} in service", median.stats.max_in_service)
                 : "");
    if (load.work_path() == "/cpu" && median.server.computing > 0) {
        // In service at once, but under a GIL computing one at a time: said, so that "at once"
        // beside the loop's held time reads true.
        const int computing = median.server.computing, serving = median.stats.max_in_service;
        result.verdict.detail += fmt::format("; computing {} at once", computing);
        if (result.configuration.gil && computing < serving)
            result.verdict.detail += fmt::format(
                " of the {} in service: they take turns for the GIL, and the loop waits its turn",
                serving);
    }
    if (result.configuration.server == Server::app) judge_by_the_loop(result, load);
}

}  // namespace lab
