#pragma once
// `lab run`: for each configuration of a scenario, start its server, send a warm-up batch and
// then the measured batches, stop the server, and keep every request's record.
#include <string>
#include <vector>

#include "lab/run/configuration_processes.hpp"  // RunSettings
#include "lab/run/estimate.hpp"  // (how long run_scenario takes, said before it starts)
#include "lab/scenario/overrides.hpp"

namespace lab {

// Adds, after each configuration, its twin served by real FastAPI under uvicorn (lab/reference/),
// if Python has FastAPI and uvicorn; otherwise says so in one line on stderr and adds nothing.
// `uvloop`: every twin runs on uvloop, not asyncio; `asgi_server`: the twins of single-process
// rows run on it (uvicorn, hypercorn or daphne).
Scenario with_fastapi(Scenario scenario, bool uvloop = false,
                      TwinServer asgi_server = TwinServer::uvicorn);
// The ASGI servers a twin can run on (--asgi-server), uvicorn first (the default).
inline const std::vector<std::string> asgi_servers{"uvicorn", "hypercorn", "daphne"};

RunResult run_scenario(const Scenario& scenario, RunSettings settings);

}  // namespace lab
