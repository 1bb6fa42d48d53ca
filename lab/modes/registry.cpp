// The registry of modes: one line each. What each line points to lives in the mode's own file.
#include <csignal>

#include "lab/modes/modes.hpp"
#include "lab/modes/waits.hpp"
#include "lab/os_limits.hpp"
#include "lab/server/explain.hpp"
#include "lab/server/live_events.hpp"
#include "lab/server/server_stats.hpp"
#include "lab/compute/gil.hpp"

namespace lab {
namespace {

struct Mode {
    ModeInfo info;
    int (*serve)(const ServeOptions&);
    asio::awaitable<ServiceRecord> (*wait)(Micros) = nullptr;  // a loop mode's wait, for workers
    asio::awaitable<ServiceRecord> (*query)(DbQuery) = nullptr;  // and its /db and /users query
    asio::awaitable<ServiceRecord> (*call)(Micros) = nullptr;  // and its /fetch call
    asio::awaitable<ServiceRecord> (*cache)(Micros) = nullptr;  // and its /cache call
};

// Each of W processes runs --worker-mode: W times that mode's model.
Model workers_model(const ServerShape& shape) {
    const ModeInfo* worker = find_mode(shape.worker_mode);
    return multi_process_model(shape, worker ? worker->model(shape) : Model{.at_once = 1});
}

const std::array modes{
    Mode{{.name = "blocking-in-loop",
          .summary = "one event loop; the handler blocks it while it waits",
          .document_term = "async def + time.sleep",
          .fastapi_variant = "blocking",
          .runs_in_a_worker = true,
          .waits_how = "sleeping on the loop's thread: nothing else runs meanwhile",
          .model = blocking_in_loop_model},
         serve_blocking_in_loop,
         wait_blocking,
         query_blocking,
         call_blocking,
         cache_blocking},
    Mode{{.name = "async-sleep",
          .summary = "one event loop; the handler awaits a timer and frees the loop",
          .document_term = "async def + await asyncio.sleep",
          .fastapi_variant = "awaiting",
          .runs_in_a_worker = true,
          .waits_how = "awaiting a timer: the loop is free meanwhile",
          .model = async_sleep_model},
         serve_async_sleep,
         wait_awaiting,
         query_awaiting,
         call_awaiting,
         cache_awaiting},
    Mode{{.name = "thread-pool",
          .summary = "one event loop; blocking waits run on a pool of --threads threads",
          .document_term = "def + time.sleep (run_in_threadpool)",
          .fastapi_variant = "threaded",
          .takes_threads = true,
          .waits_how = "sleeping on a pool thread: the loop is free meanwhile",
          .model = thread_pool_model},
         serve_thread_pool},
    Mode{{.name = "multi-process",
          .summary = "--workers processes, each an event loop running --worker-mode",
          .document_term = "uvicorn --workers W",
          .fastapi_variant = "blocking",
          .takes_workers = true,
          .served_by = "worker",
          .model = workers_model},
         serve_multi_process},
};

const std::array infos{modes[0].info, modes[1].info, modes[2].info, modes[3].info};

const Mode* find(std::string_view name) {
    for (const Mode& mode : modes)
        if (mode.info.name == name) return &mode;
    return nullptr;
}

}  // namespace

Model model_of(const ServerShape& shape) {
    const ModeInfo* mode = find_mode(shape.mode);
    return model_around(shape,
                        mode && mode->model ? std::optional(mode->model(shape)) : std::nullopt);
}

std::span<const ModeInfo> all_modes() { return infos; }

const ModeInfo* find_mode(std::string_view name) {
    for (const ModeInfo& info : infos)
        if (info.name == name) return &info;
    return nullptr;
}

std::vector<std::string> mode_names(bool worker_modes_only) {
    std::vector<std::string> names;
    for (const ModeInfo& m : infos)
        if (!worker_modes_only || m.runs_in_a_worker) names.emplace_back(m.name);
    return names;
}

bool served_by_workers(std::string_view mode) {
    const ModeInfo* info = find_mode(mode);
    return info && info->served_by == "worker";
}

std::string mode_with_options(std::string_view name, int threads, int workers, Balance balance) {
    std::string text(name);
    const ModeInfo* mode = find_mode(name);
    if (mode && mode->takes_threads) text += " T=" + std::to_string(threads);
    if (mode && mode->takes_workers)
        text += " W=" + std::to_string(workers) + " " + name_of(balance);
    return text;
}

std::vector<std::string> serve_arguments(std::string_view name, int threads, int workers,
                                         Balance balance, std::string_view worker_mode) {
    std::vector<std::string> args{"--mode", std::string(name)};
    const ModeInfo* mode = find_mode(name);
    if (mode && mode->takes_threads)
        args.insert(args.end(), {"--threads", std::to_string(threads)});
    if (mode && mode->takes_workers)
        args.insert(args.end(), {"--workers", std::to_string(workers), "--balance",
                                 name_of(balance), "--worker-mode", std::string(worker_mode)});
    return args;
}

Handlers loop_handlers(std::string_view loop_mode) {
    const Mode* mode = find(loop_mode);
    return {.wait = mode && mode->wait ? Work{mode->wait} : Work{wait_blocking},
            .compute = compute_here,
            .query = mode && mode->query ? Query{mode->query} : Query{query_blocking},
            .call = mode && mode->call ? Work{mode->call} : Work{call_blocking},
            .cache = mode && mode->cache ? Work{mode->cache} : Work{cache_blocking}};
}

int serve_mode(const ServeOptions& options) {
    // A peer that closed its socket (a client gone, Redis restarting) is an error on that call,
    // never a signal that ends the server: hiredis writes without MSG_NOSIGNAL.
    std::signal(SIGPIPE, SIG_IGN);
    raise_open_file_limit();
    wake_on_time();
    if (options.gil) process_gil().enable();
    explaining = options.explain;
    // How this server's /delay waits, for --explain's lines (a worker's, in multi-process).
    const ModeInfo* mode = find_mode(options.mode);
    if (const ModeInfo* waits = mode && mode->takes_workers ? find_mode(options.worker_mode) : mode)
        explained_wait = waits->waits_how;
    if (!options.database_url.empty())
        use_database(options.database_url, options.db_pool, server_stats().waited_for_connection);
    if (!options.downstream_url.empty()) use_downstream(options.downstream_url);
    if (!options.redis_url.empty()) use_redis(options.redis_url);
    if (!options.events_to.empty()) live::open_channel(options.events_to);
    if (const Mode* mode = find(options.mode)) return mode->serve(options);
    std::fprintf(stderr, "lab serve: unknown mode '%s'\n", options.mode.c_str());
    return 2;
}

}  // namespace lab
