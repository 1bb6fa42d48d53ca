#include "lab/figures/figure_value.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "harness/statistics.hpp"
#include "harness/websocket_load.hpp"
#include "lab/figures/load_figures.hpp"
#include "lab/layout.hpp"

namespace lab {

namespace {

// Over every batch's answered requests (or probes): `of` each one's time, in ms.
template <class Of>
std::vector<double> times_ms(const ConfigurationResult& r, std::vector<RequestRecord> Batch::*sent,
                             Of of) {
    std::vector<double> ms;
    for (const Batch& b : r.batches)
        for (const RequestRecord& q : b.*sent)
            if (q.ok()) ms.push_back(static_cast<double>(of(q)) / 1000.0);
    return ms;
}
std::int64_t latency(const RequestRecord& q) { return q.latency_us(); }

template <class Of>
std::optional<double> percentile_ms(const ConfigurationResult& r,
                                    std::vector<RequestRecord> Batch::*sent, double p, Of of) {
    std::vector<double> ms = times_ms(r, sent, of);
    return ms.empty() ? std::nullopt : std::optional(percentile(ms, p));
}

// Why no bystander figure: no bystander, none sent before the batches ended, or none answered.
std::string why_no_probe(const ConfigurationResult& r, const Load& load) {
    if (load.probe_path.empty()) return "this load sends no bystander (probe_path)";
    std::size_t sent = 0;
    for (const BatchRecord& b : r.batches) sent += b.probes.size();
    if (sent == 0)
        return "no health check was sent: each batch was over within " +
               fixed(r.makespan.max * 1000.0, 1) + " ms, before the first (" +
               fixed(load.probe_every_ms / 2.0, 1) + " ms after the start, then one every " +
               std::to_string(load.probe_every_ms) + " ms)";
    return "none of the " + std::to_string(sent) + " health checks sent was answered";
}

// A count the server or the kernel gave, or -1 for none.
std::optional<double> at_least_zero(double value) {
    return value < 0 ? std::nullopt : std::optional(value);
}
std::optional<double> mib(long kib) {
    return kib < 0 ? std::nullopt : std::optional(static_cast<double>(kib) / 1024.0);
}

// The work a queue's worker did: the batch that had the fewest of its jobs finished, so that one
// batch whose work was dropped is not hidden by others.
std::optional<double> fewest_jobs_done(const ConfigurationResult& r) {
    std::optional<double> fewest;
    for (const BatchRecord& b : r.batches)
        if (const double done = static_cast<double>(b.jobs_done); done >= 0)
            fewest = std::min(fewest.value_or(done), done);
    return fewest;
}

std::optional<double> loop_blocked_ms(const ConfigurationResult& r) {
    std::vector<double> blocked;
    for (const BatchRecord& b : r.batches)
        if (b.server.blocked_ms >= 0) blocked.push_back(b.server.blocked_ms);
    return blocked.empty() ? std::nullopt : std::optional(spread_of(blocked).median);
}

// The share of the median batch's requests its busiest worker answered, in %.
std::optional<double> busiest_worker_share(const BatchStats* median) {
    if (!median || median->per_worker.empty() || median->ok == 0) return std::nullopt;
    int most = 0;
    for (auto [pid, n] : median->per_worker) most = std::max(most, n);
    return 100.0 * most / median->ok;
}

std::optional<double> open_loop_p99_ms(const ConfigurationResult& r, const Load& load,
                                       bool from_due) {
    if (load.rate <= 0) return std::nullopt;
    const Histogram& h = from_due ? r.open_loop.corrected : r.open_loop.uncorrected;
    return h.count() ? std::optional(static_cast<double>(h.percentile(99)) / 1000.0) : std::nullopt;
}

// The websockets lesson's figures, from its batches: each tick a client read is a record whose
// latency is the tick's lateness (harness/websocket_load.hpp).

// Whether the server (or the way to it) ended this client's WebSocket: it never opened, or was
// closed or broken before the end. Not a message the lab would not keep (over its limit: the lab
// closed it), nor one that was no tick, nor silence: the server still held those open.
bool dropped(const RequestRecord& q) {
    return q.error == ErrorKind::connect || q.error == ErrorKind::read;
}

// The WebSockets open through the batch: those with a record (each client has one), none dropped.
int held_through(const Batch& b) {
    std::set<int> seen, lost;
    for (const RequestRecord& q : b.requests) (dropped(q) ? lost : seen).insert(q.connection);
    return static_cast<int>(std::ranges::count_if(seen, [&](int c) { return !lost.contains(c); }));
}

// The clients the lab itself closed (a message over its limit), said; "" when none. Whether the
// server would have held those open is not known.
std::string closed_by_the_lab(const ConfigurationResult& r) {
    long closed = 0;
    for (const Batch& b : r.batches)
        closed += std::ranges::count(b.requests, ErrorKind::body_over_limit, &RequestRecord::error);
    return closed == 0 ? ""
                       : fmt::format(
                             "{} {} sent a message over the {} KiB the lab reads of one, "
                             "and closed by the lab",
                             count_of(closed, "client"), closed == 1 ? "was" : "were",
                             most_websocket_message >> 10);
}

// Why no tick's lateness was measured, as the records tell it: the messages the app sent that
// were no tick (the first one's text, while the run is fresh), those over the lab's limit, and
// the clients that read nothing. Never "dropped its client": the server held those open.
std::string why_no_tick(const ConfigurationResult& r) {
    std::map<ErrorKind, int> kinds;
    std::string first;
    for (const Batch& b : r.batches) {
        for (const RequestRecord& q : b.requests) ++kinds[q.error];
        if (first.empty()) first = b.foreign_message;
    }
    std::string said = "no tick (text: {\"tick\":K,\"due_us\":…,\"every_us\":…}) was read";
    if (kinds[ErrorKind::status] > 0)
        said += "; your app sent " + std::to_string(kinds[ErrorKind::status]) + " other messages" +
                (first.empty() ? "" : " (the first: " + first + ")");
    if (const std::string closed = closed_by_the_lab(r); !closed.empty()) said += "; " + closed;
    if (kinds[ErrorKind::timeout] > 0)
        said += "; " + std::to_string(kinds[ErrorKind::timeout]) + " clients read nothing";
    return said;
}

// tick_late_p50, tick_late_p99, tick_late_max, connections_held or memory_per_connection
// (nullopt: no tick read, or the memory not read).
std::optional<double> websocket_figure(Figure figure, const ConfigurationResult& r) {
    if (r.batches.empty()) return std::nullopt;
    if (figure == Figure::connections_held) {  // (unknown where the lab closed some itself)
        if (!closed_by_the_lab(r).empty()) return std::nullopt;
        int fewest = held_through(r.batches.front());
        for (const Batch& b : r.batches) fewest = std::min(fewest, held_through(b));
        return fewest;
    }
    if (figure == Figure::memory_per_connection) {
        const int held = held_through(r.batches.back());  // (pss_kib: read while these were held)
        if (r.pss_kib < 0 || r.pss_before_kib < 0 || held == 0) return std::nullopt;
        return static_cast<double>(r.pss_kib - r.pss_before_kib) / held;
    }
    // Each client's worst tick lateness in each batch, in ms: how long the loop kept that client's
    // latest tick from it. The lesson's point is that a blocked loop holds back every client's.
    std::vector<double> worst;
    for (const Batch& b : r.batches) {
        std::map<int, std::int64_t> worst_us;
        for (const RequestRecord& q : b.requests)
            if (q.ok()) worst_us[q.connection] = std::max(worst_us[q.connection], q.latency_us());
        for (auto [client, us] : worst_us) worst.push_back(static_cast<double>(us) / 1000.0);
    }
    if (worst.empty()) return std::nullopt;
    if (figure == Figure::tick_late_p50) return percentile(worst, 50);
    if (figure == Figure::tick_late_p99) return percentile(worst, 99);
    return percentile(worst, 100);  // tick_late_max
}

// A FastAPI twin's loop is watched as the probe watches a student's app (loop_watch.py), where
// one process serves on the stdlib's loop; elsewhere why not, in the twin's own terms.
std::string why_no_twin_loop(const Configuration& twin) {
    if (twin.fastapi_variant == TwinRoute::flask) return "Flask under gunicorn runs no event loop";
    if (twin.queued()) return "the work runs in RQ's workers, whose loop the lab does not watch";
    if (serving_processes(twin) > 1)
        return "its " + std::to_string(serving_processes(twin)) +
               " worker processes each run a loop, and GET /stats reaches one of them";
    if (twin.fastapi_loop == TwinLoop::uvloop)
        return "uvloop has no selector the lab can watch (the stdlib's asyncio loop has)";
    return "its server gave no account of it (GET /stats, loop_watch.py)";
}

// Its open loop's latencies, merged over its batches, then each figure of the catalogue.
void measure_row(ConfigurationResult& r) {
    r.open_loop = {};
    for (const BatchRecord& b : r.batches) r.open_loop.merge(b.open_loop);
    for (const FigureInfo& f : figure_catalogue)
        r.figures[static_cast<std::size_t>(f.figure)] = figure_value(f.figure, r, r.load);
}

// Each batch's own figures: the row as if it had that batch alone (moved in and back, never
// copied: a batch may hold a million requests).
void measure_each_batch(ConfigurationResult& r) {
    std::vector<BatchRecord> all = std::move(r.batches);
    const Spread makespan = r.makespan;
    const std::size_t median = r.median_batch;
    r.median_batch = 0;
    for (BatchRecord& b : all) {
        r.makespan = {b.stats.makespan_s, b.stats.makespan_s, b.stats.makespan_s};
        r.batches.clear();
        r.batches.push_back(std::move(b));
        measure_row(r);
        b = std::move(r.batches.front());
        b.figures = r.figures;
    }
    r.batches = std::move(all);
    r.makespan = makespan;
    r.median_batch = median;
}

// The run as a whole, so far (RunResult's last fields).
void measure_run(RunResult& run) {
    const Workload load = workload_of(run.scenario.load);
    run.physical_floor_s = physical_floor_s(load, run.cores);
    run.physical_floor_reason = physical_floor_reason(load, run.cores);
    for (ConfigurationResult& r : run.configurations) {
        const std::optional<double> document = r.configuration.document_s;
        r.document_below_floor =
            document && *document < physical_floor_s(workload_of(r.load), run.cores) * 0.999;
    }
    run.load_figures = load_figures(run);
}

}  // namespace

std::string why_not_measured(Figure figure, const ConfigurationResult& r, const Load& load) {
    using enum Figure;
    if (!r.error.empty()) return "the row stopped: " + r.error;
    if (r.batches.empty()) return "no batch was measured";
    switch (figure) {
        case probe_p50:
        case probe_p99:
        case probe_max: return why_no_probe(r, load);
        case answer_p50:
        case answer_min:
        case answer_max:
        case done_p50: return "no request was answered";
        case model: return "this row has no model (the lab did not write its server)";
        case loop_blocked:
            if (r.configuration.server == Server::fastapi) return why_no_twin_loop(r.configuration);
            [[fallthrough]];
        case at_once:
        case db_at_once:
        case computing_at_once:
            return r.configuration.stats_path().empty()
                       ? "its server keeps no account the lab can read"
                       : "its server gave no account of it (GET " + r.configuration.stats_path() +
                             ")";
        case pss:
        case peak_rss: return "the server's memory was not read (load.report_memory)";
        case busiest_worker: return "no request named the worker that answered it";
        case tick_late_p50:
        case tick_late_p99:
        case tick_late_max: return why_no_tick(r);
        case connections_held: return closed_by_the_lab(r);
        case reply_min:
            if (std::ranges::all_of(r.batches, [](const Batch& b) { return b.probes.empty(); }))
                return "the \"wait MS\" message was never sent: no WebSocket was open to send it "
                       "on";
            return "no reply (\"waited MS\") to the \"wait MS\" message was read before the batch "
                   "ended: the handler sent none back";
        case jobs_done:
            return r.configuration.server == Server::app
                       ? "no RQ worker counted this row's jobs (the lab starts one for a student's "
                         "app when the run has a Redis: needs = [\"redis\"])"
                       : "only a student's app has its jobs counted";
        default: return "this run has no value of it";
    }
}

std::vector<double> answered_ms(const ConfigurationResult& r,
                                std::vector<RequestRecord> Batch::*sent) {
    return times_ms(r, sent, latency);
}

std::optional<double> figure_value(Figure figure, const ConfigurationResult& r, const Load& load) {
    if (!r.error.empty() || r.batches.empty()) return std::nullopt;
    const BatchStats* median = &r.batches[r.median_batch].stats;
    const auto requests = &Batch::requests, probes = &Batch::probes;
    using enum Figure;
    switch (figure) {
        case measured: return r.makespan.median;
        case throughput:
            return r.makespan.median > 0 ? std::optional(load.requests / r.makespan.median)
                                         : std::nullopt;
        case model: return r.model.formula.empty() ? std::nullopt : std::optional(r.model_s);
        case answer_p50: return percentile_ms(r, requests, 50, latency);
        case answer_min: return percentile_ms(r, requests, 0, latency);
        case answer_max: return percentile_ms(r, requests, 100, latency);
        case done_p50: {
            auto ms = percentile_ms(r, requests, 50,
                                    [](const RequestRecord& q) { return q.completion_us(); });
            return ms ? std::optional(*ms / 1000.0) : std::nullopt;
        }
        case probe_p50: return percentile_ms(r, probes, 50, latency);
        case probe_p99: return percentile_ms(r, probes, 99, latency);
        case probe_max: return percentile_ms(r, probes, 100, latency);
        case pss: return mib(r.pss_kib);
        case peak_rss: return mib(r.peak_rss_kib);
        case loop_blocked: return loop_blocked_ms(r);
        case at_once: return median ? at_least_zero(median->max_in_service) : std::nullopt;
        case db_at_once: return median ? at_least_zero(median->max_in_database) : std::nullopt;
        case computing_at_once: return at_least_zero(r.batches[r.median_batch].server.computing);
        case busiest_worker: return busiest_worker_share(median);
        case p99_from_due: return open_loop_p99_ms(r, load, true);
        case p99_from_send: return open_loop_p99_ms(r, load, false);
        case tick_late_p50:
        case tick_late_p99:
        case tick_late_max:
        case connections_held:
        case memory_per_connection: return websocket_figure(figure, r);
        // (a WebSocket's "wait MS" message is its batch's one probe: harness/websocket_load.hpp)
        case reply_min: return percentile_ms(r, probes, 0, latency);
        case jobs_done: return fewest_jobs_done(r);
    }
    return std::nullopt;
}

void measure_figures(ConfigurationResult& r) {
    if (r.batches.size() > 1) measure_each_batch(r);
    measure_row(r);
    r.model_finishes_s = predicted_finishes_s(r.model, workload_of(r.load));
    if (r.load.rate > 0)
        r.open_loop_model =
            open_loop_p99_model(r.model, r.load.delay_ms, r.load.stall_ms, r.load.duration_ms);
    if (r.batches.size() == 1) r.batches[0].figures = r.figures;  // (the row is its one batch)
}

void measure_figures(RunResult& run) {
    for (ConfigurationResult& r : run.configurations) {
        r.load = load_of(run.scenario.load, r.configuration);
        measure_figures(r);
    }
    measure_run(run);
}

void measure_last_row(RunResult& run) {
    measure_figures(run.configurations.back());
    measure_run(run);
}

}  // namespace lab
