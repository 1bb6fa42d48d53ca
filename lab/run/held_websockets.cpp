#include "lab/run/held_websockets.hpp"

#include "harness/websocket_load.hpp"

namespace lab {

Batch held_websockets(const LoadSpec& server, const Load& load,
                      const ConfigurationProcesses& processes, ConfigurationResult& result,
                      int batch) {
    WebSocketLoadSpec spec;
    spec.host = server.host;
    spec.port = server.port;
    // /ws, or a student app's route
    spec.target = server.target.substr(0, server.target.find('?'));
    spec.clients = load.requests;  // N clients, each on a connection of its own
    spec.hold = std::chrono::milliseconds(load.duration_ms);
    spec.wait_ms = load.delay_ms;
    spec.wait_at = std::chrono::milliseconds(load.stall_at_ms);
    result.pss_before_kib = processes.pss_kib();
    spec.observer = server.observer;
    spec.on_held = [&](int /*open*/) { result.pss_kib = processes.pss_kib(); };
    return run_websocket_batch(spec, batch);
}

}  // namespace lab
