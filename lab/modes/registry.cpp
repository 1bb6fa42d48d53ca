#include <array>

#include "lab/modes/modes.hpp"
#include "lab/modes/waits.hpp"
#include "lab/os_limits.hpp"
#include "lab/server/cpu_work.hpp"
#include "lab/server/explain.hpp"
#include "lab/server/gil.hpp"

namespace lab {
namespace {

struct Mode {
    ModeInfo info;
    int (*serve)(const ServeOptions&);
};

constexpr std::array modes{
    Mode{{"blocking-in-loop", "one event loop; the handler blocks it while it waits",
          "async def + time.sleep"}, serve_blocking_in_loop},
    Mode{{"async-sleep", "one event loop; the handler awaits a timer and frees the loop",
          "async def + await asyncio.sleep"}, serve_async_sleep},
    Mode{{"thread-pool", "one event loop; blocking waits run on a pool of --threads threads",
          "def + time.sleep (run_in_threadpool)"}, serve_thread_pool},
    Mode{{"multi-process", "--workers processes, each an event loop running --worker-mode",
          "uvicorn --workers W"}, serve_multi_process},
};

constexpr std::array infos{modes[0].info, modes[1].info, modes[2].info, modes[3].info};

}  // namespace

std::span<const ModeInfo> all_modes() { return infos; }

const ModeInfo* find_mode(std::string_view name) {
    for (const ModeInfo& info : infos)
        if (info.name == name) return &info;
    return nullptr;
}

bool is_loop_mode(std::string_view name) { return name == "blocking-in-loop" || name == "async-sleep"; }

Handlers loop_handlers(std::string_view loop_mode) {
    return {.wait = loop_mode == "async-sleep" ? Work{wait_awaiting} : Work{wait_blocking},
            .compute = compute_here};
}

int serve_mode(const ServeOptions& options) {
    raise_open_file_limit();
    calibrate_cpu_work();
    if (options.gil) process_gil().enable();
    explaining = options.explain;
    for (const Mode& mode : modes)
        if (mode.info.name == options.mode) return mode.serve(options);
    std::fprintf(stderr, "lab serve: unknown mode '%s'\n", options.mode.c_str());
    return 2;
}

}  // namespace lab
