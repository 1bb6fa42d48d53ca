#include "lab/report/timeline.hpp"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include <fmt/format.h>

#include "lab/modes/modes.hpp"

namespace lab {

std::string mode_cell(const Configuration& c, const std::string& path) {
    if (c.server == Server::app)  // (a student's, whose label says so, or a lesson's own)
        return "the app's own code, under uvicorn (the lab's probe stamps it)";
    if (c.server == Server::external) return "a server the lab did not start";
    const std::string stack = c.fastapi_variant == TwinRoute::flask
                                  ? "Flask/gunicorn"
                                  : "FastAPI/" + name_of(c.fastapi_server);
    std::string mode = (c.server == Server::fastapi ? stack + ", like " : "") +
                       mode_with_options(c.mode, c.threads, c.workers, c.balance);
    if (c.gil && c.server != Server::fastapi) mode += " +GIL";
    if (c.client == Client::sequential) mode += ", sequential client";
    if (c.requests) mode += ", N=" + std::to_string(*c.requests);
    // A mode named for its timer waits its way on the service the path asks for.
    if (path == "/db") mode += ": its wait a PostgreSQL query, P=" + std::to_string(c.db_pool);
    if (path == "/fetch" || path == "/cache")
        mode += path == "/fetch" ? ": its wait an HTTP call" : ": its wait a Redis call";
    return mode;
}

namespace {

std::int64_t began(const RequestRecord* r) {
    return r->has_server_stamps() ? r->server_start_us : r->send_us;
}

// `shown` of `n` positions, evenly spaced, the first and last among them; `kept` always one of
// them, in the place of the sampled one nearest to it (of those between the first and last, when
// `ends` keeps them: its neighbours are sampled either side of it, so the order holds).
std::vector<std::size_t> even_sample(std::size_t n, std::size_t shown, std::size_t kept,
                                     bool ends) {
    std::vector<std::size_t> picked;
    for (std::size_t i = 0; i < shown; ++i)
        picked.push_back(shown < 2 ? 0 : i * (n - 1) / (shown - 1));
    if (shown > (ends ? 2u : 0u) && std::find(picked.begin(), picked.end(), kept) == picked.end())
        *std::ranges::min_element(
            picked.begin() + ends, picked.end() - ends, {},
            [&](std::size_t a) { return std::llabs(static_cast<long long>(a - kept)); }) = kept;
    return picked;
}

// Up to `most` of the bystander's requests sent before the batch's last answer, evenly spread,
// merged into `t` by when the server began them; the drawing then reaches their answers too.
// The one that waited longest is always among them (the lesson's worst wait, in place of the
// sampled one nearest to it).
void add_bystanders(TimelineRows& t, const Batch& batch, std::size_t most) {
    std::vector<const RequestRecord*> meanwhile;
    for (const auto& p : batch.probes)
        if (p.send_us >= t.t0 && p.send_us <= t.t1 && p.end_us >= 0) meanwhile.push_back(&p);
    std::size_t shown = std::min(most, meanwhile.size()), longest = 0;
    for (std::size_t k = 0; k < meanwhile.size(); ++k)
        if (meanwhile[k]->ok() && meanwhile[k]->latency_us() > meanwhile[longest]->latency_us())
            longest = k;
    for (std::size_t at : even_sample(meanwhile.size(), shown, longest, false)) {
        const RequestRecord* p = meanwhile[at];
        t.rows.push_back({p, SIZE_MAX, true});
        t.bystanders = true;
        t.t1 = std::max(t.t1, p->end_us);
    }
    std::ranges::stable_sort(t.rows, {}, [](const TimelineRow& row) { return began(row.record); });
}

// A probed app's waits in a request's service, in their glyphs: for a thread token, then for a
// connection (where in its service it waited for the connection is not said: drawn after its
// thread came), as report.html draws them.
constexpr const char *thread_wait_glyph = "▒", *connection_wait_glyph = "▚";

// The legend of those waits, a line per kind a drawn request had ("": none), wrapped at `width`.
std::string waits_legend(const TimelineRows& t, int width) {
    std::string legend;
    for (auto [wait, glyph, what] :
         {std::tuple{&RequestRecord::token_wait_us, thread_wait_glyph, waiting_for_thread},
          std::tuple{&RequestRecord::connection_wait_us, connection_wait_glyph,
                     waiting_for_connection}})
        if (std::ranges::any_of(t.rows,
                                [&](const TimelineRow& row) { return row.record->*wait > 0; }))
            legend += wrap(std::string(glyph) + " " + what, width);
    return legend;
}

// The heading of a configuration's timeline: its label and mode, and what each kind of bar means
// (a probed app's waits in a legend line each).
std::string timeline_heading(const ConfigurationResult& result, const Batch& batch,
                             const TimelineRows& t, const Load& load, const Layout& layout) {
    const bool queued = result.configuration.queued();
    const int width = layout.wide ? 100'000 : layout.columns;
    return wrap(result.configuration.label + " (" + mode_cell(result.configuration, load.path) +
                    "), batch " + std::to_string(batch.number) +
                    (queued ? " (the median): answered 202 at once, then ░ waiting in the queue   "
                              "█ being run by a queue worker"
                     : t.stamped ? " (the median): ░ sent, waiting for the server   █ being served"
                                 : " (the median): ░ sent, waiting for the answer (the server's "
                                   "own timings are unknown: client-side figures only)") +
                    (t.bystanders ? "   ▓ the bystander's GET " + load.probe_path +
                                        " (probe rows), being served"
                                  : "") +
                    "; req k is the k-th request sent",
                width) +
           (t.bystanders ? wrap(worst_probe_note(result, load), width) : "") +
           waits_legend(t, width);
}

// One request's bar: ░ sent and waiting until the server begins it, then (the answer's trip
// included) █ served, or ▓ for the bystander's; a probed app's waits in service in their glyphs.
std::string bar_of(const RequestRecord& r, bool bystander, bool queued, int columns,
                   const auto& column) {
    std::string bar;
    int send = column(r.send_us), done = column(r.finished_us());
    int start = r.has_server_stamps() ? column(r.server_start_us) : queued ? send : columns;
    const std::int64_t thread_us = std::max<std::int64_t>(r.token_wait_us, 0);
    int thread_end = r.has_server_stamps() ? column(r.server_start_us + thread_us) : start;
    int connection_end = r.has_server_stamps()
                             ? column(r.server_start_us + thread_us +
                                      std::max<std::int64_t>(r.connection_wait_us, 0))
                             : start;
    // (its service all inside the bar's last cell: that cell says served, not ░ to the end)
    if (const int last = std::max(done, send + 1) - 1; r.has_server_stamps() && start > last)
        start = thread_end = connection_end = last;
    for (int c = 0; c < columns; ++c)
        bar += c < send || c >= std::max(done, send + 1) ? " "
               : c < start                               ? "░"
               : c < thread_end                          ? thread_wait_glyph
               : c < connection_end                      ? connection_wait_glyph
               : bystander                               ? "▓"
                                                         : "█";
    return bar;
}

}  // namespace

TimelineRows timeline_rows(const Batch& batch, std::size_t most, std::size_t bystanders,
                           const std::vector<LoopHold>& holds) {
    std::vector<const RequestRecord*> all;
    for (const auto& r : batch.requests) all.push_back(&r);
    std::stable_sort(all.begin(), all.end(), [&](auto a, auto b) { return began(a) < began(b); });
    TimelineRows t;
    t.total = all.size();
    std::int64_t first = INT64_MAX;
    for (const auto* r : all) {
        if (r->send_us >= 0) first = std::min(first, r->send_us);
        t.t1 = std::max(t.t1, r->finished_us());  // a queued job: when it was done, not its 202
        t.stamped = t.stamped || r->has_server_stamps();
    }
    t.t0 = first == INT64_MAX ? 0 : first;
    std::size_t shown = std::min(most, all.size());
    // The request that finished last is always drawn, so the bars reach as far as the axis says
    // the batch did: it takes the place of the sampled row nearest to it.
    std::size_t last_done = 0;
    for (std::size_t k = 0; k < all.size(); ++k)
        if (all[k]->finished_us() > all[last_done]->finished_us()) last_done = k;
    for (std::size_t at : even_sample(all.size(), shown, last_done, true))
        t.rows.push_back({all[at], at});
    if (bystanders > 0) add_bystanders(t, batch, bystanders);
    for (const LoopHold& h : holds) t.t1 = std::max(t.t1, h.end_us);
    return t;
}

std::string worst_probe_note(const ConfigurationResult& result, const Load& load) {
    auto worst_of = [](const BatchRecord& b) { return b.figure(Figure::probe_max); };
    auto worst = std::ranges::max_element(result.batches, {}, worst_of);
    if (worst == result.batches.end() || !worst_of(*worst)) return "";
    const BatchRecord& drawn = result.batches[result.median_batch];
    if (worst->number == drawn.number) return "";
    const std::optional<double> here = worst_of(drawn);  // drawn below
    return "The worst GET " + load.probe_path + " of the run, " + fixed(*worst_of(*worst), 1) +
           " ms (the chart's \"worst\"), came in batch " + std::to_string(worst->number) +
           ", not drawn; this batch's worst" + (here ? ", " + fixed(*here, 1) + " ms," : "") +
           " is among its probe rows.";
}

std::int64_t shared_axis_us(const RunResult& run) {
    std::int64_t axis = 0;
    for (const auto& r : run.configurations)
        if (r.error.empty() && !r.batches.empty()) {
            TimelineRows t = timeline_rows(r.batches[r.median_batch], 0);
            axis = std::max(axis, t.t1 - t.t0);
        }
    return axis;
}

std::vector<std::int64_t> workers_busiest_first(const ConfigurationResult& r) {
    std::vector<std::pair<int, std::int64_t>> by_count;
    if (r.batches.empty()) return {};
    for (auto [pid, n] : r.batches[r.median_batch].stats.per_worker) by_count.push_back({n, pid});
    std::sort(by_count.begin(), by_count.end(), [](auto a, auto b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<std::int64_t> pids;
    for (auto [n, pid] : by_count) pids.push_back(pid);
    return pids;
}

std::string timeline(const ConfigurationResult& result, const Load& load, const Layout& layout,
                     std::int64_t axis_us) {
    const Batch& batch = result.batches[result.median_batch];
    TimelineRows t = timeline_rows(batch, 40, load.probe_path.empty() ? 0 : bystanders_drawn);
    const std::int64_t t0 = t.t0, axis = std::max<std::int64_t>(axis_us, t.t1 - t.t0);
    if (t.t1 <= t0 || axis <= 0) return "";
    const bool queued = result.configuration.queued();
    const bool by_worker = served_by_processes(result.configuration);
    const std::vector<std::int64_t> workers =
        by_worker ? workers_busiest_first(result) : std::vector<std::int64_t>{};
    // "req   0  |" + bar + "|  [answered 0.000 s, ]done 0.000 s   model 0.000 s   worker 1"
    // (room for 10.000 s and worker 10). Where that leaves the bar under 20 columns, the model's
    // column goes first: the table beside the timelines has the model's makespan.
    auto tail = [&](bool with_model) {
        return 1 + 2 + 13 + (queued ? 18 : 0) + (with_model ? 17 : 0) + (by_worker ? 12 : 0);
    };
    const bool modelled =
        !result.model.formula.empty() && (layout.wide || layout.columns - 11 - tail(true) >= 20);
    const int columns = layout.wide ? 60 : std::max(20, layout.columns - 11 - tail(modelled));
    auto column = [&](std::int64_t us) {
        return std::clamp<int>(static_cast<int>((us - t0) * columns / axis), 0, columns);
    };

    std::string out = timeline_heading(result, batch, t, load, layout);
    if (t.rows.size() < t.total)
        out += "(" + std::to_string(t.rows.size()) + " of its " + std::to_string(t.total) +
               " requests, evenly spaced)\n";
    std::string end = seconds_text(axis);
    out += std::string(10, ' ') + "0 s" +
           std::string(
               static_cast<std::size_t>(std::max(1, columns - 3 - static_cast<int>(end.size()))),
               ' ') +
           end + "\n";
    const std::vector<double>& model = result.model_finishes_s;
    for (const auto& [r, position, by] : t.rows) {
        out += (by ? fmt::format("probe {:2} |", r->index + 1)
                   : fmt::format("req {:3}  |", r->index + 1)) +
               bar_of(*r, by, queued, columns, column) + "|  ";
        if (!r->ok()) {
            // (4xx/5xx: said by its code; a connection that did not open: by the system's reason)
            const bool why = r->error == ErrorKind::connect && !batch.connect_failure.empty();
            out += (r->error == ErrorKind::status ? "answered " + std::to_string(r->status)
                                                  : "failed: " + std::string(to_string(r->error))) +
                   (why ? " (" + batch.connect_failure + ")" : "") + "\n";
            continue;
        }
        if (queued) out += "answered " + seconds_text(r->end_us - t0) + ", ";
        out += "done " + seconds_text(r->finished_us() - t0);
        if (modelled && !by)
            out += "   model " + fixed(position < model.size() ? model[position] : 0.0) + " s";
        if (by_worker && r->worker_pid >= 0) {
            auto rank = std::find(workers.begin(), workers.end(), r->worker_pid) - workers.begin();
            out += "   " + std::string(result.configuration.behind_nginx() ? "host" : "worker") +
                   " " + std::to_string(rank + 1);
        }
        out += "\n";
    }
    return out;
}

}  // namespace lab
