#include "lab/scenario/figure_catalogue.hpp"

#include "lab/layout.hpp"

namespace lab {

const std::vector<FigureInfo>& figures() {
    static const std::vector<FigureInfo> all{
        {Figure::measured, "s", 3, "how long all N requests took (median of the batches)"},
        {Figure::model, "s", 3, "what the model predicts for all N"},
        {Figure::throughput, "requests/s", 1,
         "N over the measured makespan: requests answered per second (Little's law: about L/d with "
         "L served at once)"},
        {Figure::probe_p50, "ms", 1, "the bystander probe's median latency, over every batch"},
        {Figure::probe_p99, "ms", 1,
         "the bystander probe's 99th percentile latency, over every batch"},
        {Figure::probe_max, "ms", 1, "the bystander probe's worst latency, over every batch"},
        {Figure::peak_rss, "MiB", 1,
         "the server's peak resident memory, summed over its processes (its workers too)"},
        {Figure::pss, "MiB", 1,
         "the server's proportional set size after the load: shared pages split among the "
         "processes that share them"},
        {Figure::loop_blocked, "ms", 1,
         "the longest the loop was kept from its other work (median of the batches)"},
        {Figure::at_once, "", 0,
         "the most requests the server had in service at one moment (median batch)"},
        {Figure::db_at_once, "", 0,
         "the most queries PostgreSQL itself ran at one moment, by its own clock (median batch)"},
        {Figure::computing_at_once, "", 0,
         "the most threads or workers that computed on a core at one moment (median batch)"},
        {Figure::busiest_worker, "%", 0,
         "the share of the median batch's requests that the busiest worker answered"},
        {Figure::answer_p50, "ms", 1,
         "the median time to an answer (a queued job's: its 202), over every batch"},
        {Figure::answer_min, "ms", 1,
         "the fastest answer (a queued job's: its 202), over every batch: a floor the work sets, "
         "which no answer can beat while it is done"},
        {Figure::answer_max, "ms", 1,
         "the slowest answer (a queued job's: its 202), over every batch"},
        {Figure::done_p50, "s", 3,
         "the median time until a request's work was done (a queued job's: its worker finished it, "
         "by the queue's stamp), over every batch"},
        {Figure::p99_from_due, "ms", 1, "open loop: p99 latency from when each request was due"},
        {Figure::p99_from_send, "ms", 1, "open loop: p99 latency from when each request was sent"},
        {Figure::tick_late_p50, "ms", 1,
         "WebSockets: the median client's worst tick lateness (from when the server meant to send "
         "a tick to when the client read it), over every batch"},
        {Figure::tick_late_p99, "ms", 1,
         "WebSockets: the 99th percentile of the clients' worst tick lateness, over every batch"},
        {Figure::tick_late_max, "ms", 1,
         "WebSockets: the latest any client read a tick, over every batch"},
        {Figure::connections_held, "", 0,
         "WebSockets: how many stayed open through a batch (the fewest of the batches)"},
        {Figure::memory_per_connection, "KiB", 1,
         "WebSockets: the server's PSS while they were held, less its PSS before they opened, per "
         "WebSocket held"},
        {Figure::reply_min, "ms", 1,
         "WebSockets: from the \"wait MS\" message a client sent to its handler's reply, the "
         "shortest over every batch: a floor the handler's wait sets, which no reply can beat "
         "while the wait is done"},
        {Figure::jobs_done, "", 0,
         "a student's app on a Redis: the jobs its queue's worker finished for a batch, by RQ's "
         "own finished-job registries, read once no job waited or ran (the fewest of the batches)",
         /*a_busy_machine_moves=*/false},
    };
    return all;
}

const FigureInfo& info(Figure figure) { return figures()[static_cast<std::size_t>(figure)]; }

std::string figure_text(Figure figure, double value) {
    const FigureInfo& f = info(figure);
    return fixed(value, f.digits) + (f.unit.empty() ? "" : f.unit == "%" ? " %" : " " + f.unit);
}

}  // namespace lab
