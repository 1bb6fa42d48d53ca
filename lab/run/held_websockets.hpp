#pragma once
// One batch of the websockets lesson for one configuration: the load's C clients hold WebSockets
// open to its server (harness/websocket_load.hpp), whose memory is read before they open and
// while they are held, so that memory_per_connection is what holding one costs that server.
#include "harness/load_generator.hpp"
#include "lab/run/configuration_processes.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// `server`: where the configuration's load goes. Sets result.pss_before_kib and result.pss_kib.
Batch held_websockets(const LoadSpec& server, const Load& load,
                      const ConfigurationProcesses& processes, ConfigurationResult& result,
                      int batch);

}  // namespace lab
