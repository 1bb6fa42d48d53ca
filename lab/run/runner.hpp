#pragma once
// `lab run`: for each configuration of a scenario, start its server, send a warm-up batch and
// then the measured batches, stop the server, and keep every request's record.
#include <functional>
#include <string>
#include <vector>

#include "lab/live/live_hub.hpp"
#include "lab/run/estimate.hpp"  // (how long run_scenario takes, said before it starts)
#include "lab/run/overrides.hpp"
#include "lab/run/progress.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// One line for each override that applies to none of the scenario's configurations.
std::vector<std::string> unused_overrides(const Scenario& scenario, const Overrides& overrides);

struct RunSettings {
    std::string server_binary;  // the `lab` executable that serves
    Progress* progress = nullptr;
    std::string database_url;   // /db: this PostgreSQL; empty: one of the lab's own (lab/services/)
    std::string downstream_url; // /fetch: this HTTP server's /delay; empty: a `lab serve` of its own
    std::string redis_url;      // /cache: this Redis; empty: one of the lab's own
    LiveHub* live = nullptr;    // a live view (--live): told of every batch and request as they go
    std::function<void(const RunResult& so_far)> on_configuration_done = {};  // e.g. the live view's table row
    bool keep_cpus_awake = true;  // idle CPUs kept from sleeping deeply while it runs (lab/awake_cpus.hpp)
};

// Adds, after each configuration, its twin served by real FastAPI under uvicorn (lab/reference/),
// if Python has FastAPI and uvicorn; otherwise says so in one line on stderr and adds nothing.
// Each configuration followed by its FastAPI twin; `uvloop`: every twin runs on uvloop, not asyncio;
// `asgi_server`: the twins of single-process rows run on it (uvicorn, hypercorn or daphne).
Scenario with_fastapi(Scenario scenario, bool uvloop = false, const std::string& asgi_server = "uvicorn");
// The ASGI servers a twin can run on (--asgi-server), uvicorn first (the default).
inline const std::vector<std::string> asgi_servers{"uvicorn", "hypercorn", "daphne"};

RunResult run_scenario(const Scenario& scenario, RunSettings settings);

// Whether a scenario's servers need a PostgreSQL (/db, or an exercise's `needs`) or a Redis
// (/cache, queued jobs, or `needs`): run_scenario starts one of the lab's own unless given a URL.
bool needs_postgres(const Scenario& scenario);
bool needs_redis(const Scenario& scenario);


}  // namespace lab
