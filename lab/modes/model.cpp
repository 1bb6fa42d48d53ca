#include "lab/modes/model.hpp"

#include <algorithm>

#include "lab/layout.hpp"

namespace lab {

// A blocked loop holds one request at a time, waiting or computing: N·d (or N·c).
Model blocking_in_loop_model(const ServerShape& shape) {
    return {.at_once = 1, .formula = shape.cpu_work ? "N·c (computes in the loop)" : "N·d"};
}

// Every wait overlaps, so N requests take about d; CPU work cannot be awaited and still runs in
// the loop one at a time: N·c.
Model async_sleep_model(const ServerShape& shape) {
    if (shape.cpu_work) return {.at_once = 1, .formula = "N·c (computes in the loop)"};
    // Queries overlap too, but each needs one of the pool's P connections: waves of P.
    if (shape.db_pool > 0)
        return {.at_once = shape.db_pool,
                .formula = "ceil(N/P)·d, P=" + std::to_string(shape.db_pool)};
    return {.formula = "d"};
}

// T requests at once, in waves of T: ceil(N/T)·d (with /db, of min(T, P)). CPU work also shares
// the cores, and under a GIL the threads take 5 ms turns on one "core", so all finish near N·c.
Model thread_pool_model(const ServerShape& shape) {
    // A query also needs one of the P connections: min(T, P) at once.
    if (shape.db_pool > 0 && shape.db_pool < shape.threads)
        return {.at_once = shape.db_pool,
                .formula = "ceil(N/P)·d, P=" + std::to_string(shape.db_pool) +
                           " < T=" + std::to_string(shape.threads)};
    if (!shape.cpu_work)
        return {.at_once = shape.threads,
                .formula = "ceil(N/T)·d, T=" + std::to_string(shape.threads)};
    if (shape.gil)
        return {.at_once = shape.threads,
                .shared_cores = 1,
                .formula = "N·c (the GIL: one computes at a time, in turns)"};
    return {
        .at_once = shape.threads,
        .shared_cores = shape.cores,
        .formula = "ceil(N/T) waves of max(c, n·c/cores), cores=" + std::to_string(shape.cores)};
}

// W workers, each as its --worker-mode predicts: W blocked loops make ceil(N/W) waves of d, W
// awaiting loops overlap everything (d). CPU work runs on at most min(W, cores).
Model multi_process_model(const ServerShape& shape, const Model& each) {
    if (shape.cpu_work)
        return {.at_once = std::min(shape.workers, shape.cores),
                .formula = "ceil(N/min(W,cores))·c, cores=" + std::to_string(shape.cores)};
    if (each.at_once == 0) return {.formula = "d"};
    if (shape.db_pool > 0 && each.at_once > 1)  // awaiting workers, each with its own pool
        return {.at_once = each.at_once * shape.workers,
                .formula = "ceil(N/(W·P))·d, W=" + std::to_string(shape.workers) +
                           ", P=" + std::to_string(shape.db_pool)};
    return {.at_once = each.at_once * shape.workers,
            .formula = "ceil(N/W)·d, W=" + std::to_string(shape.workers)};
}

namespace {

// Threads that share cores: every request of a wave runs at once, preempted in turns, and the
// wave ends when the cores have done all of its work (or after c, if there are cores to spare).
std::vector<double> shared_core_finishes(const Model& model, const Workload& load) {
    int per_wave = std::max(1, std::min({model.at_once, load.requests, load.concurrency}));
    std::vector<double> finishes;
    double wave_start = 0;
    for (int left = load.requests; left > 0; left -= per_wave) {
        int n = std::min(left, per_wave);
        double end = wave_start + std::max(load.d_s, n * load.d_s / model.shared_cores);
        finishes.insert(finishes.end(), static_cast<std::size_t>(n), end);
        wave_start = end;
    }
    return finishes;
}

}  // namespace

Model model_around(const ServerShape& shape, const std::optional<Model>& own) {
    // BackgroundTasks' promise, in every mode: the answer goes before the work. Whether the work
    // then holds up other requests is what the run shows, beside this model.
    if (shape.background && own) return {.formula = "≈ 0: answered 202 before its task runs"};
    // A queue: W workers take the jobs, each one at a time; computing, at most the cores at once.
    if (shape.queue_workers > 0) {
        const int w = shape.queue_workers;
        return {.at_once = w,
                .shared_cores = shape.cpu_work && w > shape.cores ? shape.cores : 0,
                .formula = std::string(shape.cpu_work ? "ceil(N/W)·c" : "ceil(N/W)·d") +
                           ", W=" + std::to_string(w) + " queue workers"};
    }
    // The client's one at a time, else the mode's (none for a server the lab did not start).
    Model m = shape.sequential_client ? Model{.client_at_once = 1, .formula = "N·d (one at a time)"}
                                      : own.value_or(Model{});
    // H hosts behind a balancer that spreads the burst evenly: H times what one host does at once.
    if (shape.hosts > 0 && !m.formula.empty() && m.at_once > 0) {
        m.formula = m.at_once == 1
                        ? "ceil(N/H)·d, H=" + std::to_string(shape.hosts)
                        : "H=" + std::to_string(shape.hosts) + " hosts, each " + m.formula;
        m.at_once *= shape.hosts;
        if (shape.cpu_work && m.at_once > shape.cores) m.shared_cores = shape.cores;
    }
    // The prediction lets staggered requests leave s apart; the formula says so too.
    if (shape.stagger_ms > 0 && !m.formula.empty())
        m.formula += ", sent s = " + std::to_string(shape.stagger_ms) + " ms apart";
    return m;
}

std::vector<double> predicted_finishes_s(const Model& model, const Workload& load) {
    if (model.shared_cores > 0) return shared_core_finishes(model, load);
    int connections = std::min(load.concurrency, load.requests);
    if (model.client_at_once > 0) connections = std::min(connections, model.client_at_once);
    int slots = model.at_once > 0 ? model.at_once : std::max(1, load.requests);
    std::vector<double> connection_free(static_cast<std::size_t>(std::max(1, connections)));
    for (std::size_t c = 0; c < connection_free.size(); ++c)
        connection_free[c] = static_cast<double>(c) * load.stagger_s;
    std::vector<double> slot_free(static_cast<std::size_t>(slots), 0.0);
    std::vector<double> finishes;
    for (int i = 0; i < load.requests; ++i) {
        auto connection = std::min_element(connection_free.begin(), connection_free.end());
        auto slot = std::min_element(slot_free.begin(), slot_free.end());
        double finish = std::max(*connection, *slot) + load.d_s;
        *connection = *slot = finish;
        finishes.push_back(finish);
    }
    std::sort(finishes.begin(), finishes.end());
    return finishes;
}

double predicted_makespan_s(const Model& model, const Workload& load) {
    auto finishes = predicted_finishes_s(model, load);
    return finishes.empty() ? 0 : finishes.back();
}

// A loop frozen for S out of D seconds makes the requests due during the freeze wait up to S;
// they are S/D of all, so p99 is S·(1 − 0.01·D/S). Otherwise a request waits about d.
std::string open_loop_p99_model(const Model& model, int delay_ms, int stall_ms, int duration_ms) {
    const double stall = stall_ms / 1000.0, duration = duration_ms / 1000.0;
    const bool one_at_a_time = model.at_once == 1;  // the stall holds the whole server
    if (one_at_a_time && stall > 0 && stall / duration > 0.01)
        return fixed(stall * (1 - 0.01 * duration / stall) * 1000.0, 0) + " ms  S·(1 − 0.01·D/S)";
    return fixed(delay_ms, 0) + " ms  ≈ d";
}

double physical_floor_s(const Workload& load, int cores) {
    const int rounds = (load.requests + load.concurrency - 1) / load.concurrency;
    double floor_s = rounds * load.d_s;  // (a background task's answer waits for nothing: d_s is 0)
    if (load.computes) floor_s = std::max(floor_s, load.requests * load.d_s / cores);  // cores full
    return floor_s;
}

std::string physical_floor_reason(const Workload& load, int cores) {
    const int rounds = (load.requests + load.concurrency - 1) / load.concurrency;
    if (load.computes && load.requests * load.d_s / cores > rounds * load.d_s)
        return "N requests of c of CPU each cannot be computed sooner on all " +
               std::to_string(cores) + " cores";
    if (rounds > 1)
        return "the client sends C = " + std::to_string(load.concurrency) +
               " at a time, so its N = " + std::to_string(load.requests) + " requests take " +
               std::to_string(rounds) + " rounds of d, whatever the server";
    return "every request waits d itself, so no server can answer them all sooner";
}

}  // namespace lab
