#pragma once
// The websockets lesson's figures (lab/run/figure_catalogue.cpp names them), from its batches:
// each tick a client read is a record whose latency is the tick's lateness (harness/websocket_load.hpp).
#include <optional>
#include <string>

#include "lab/run/run_result.hpp"

namespace lab {

// Whether `name` is one of them: tick_late_p50, tick_late_p99, tick_late_max, connections_held,
// memory_per_connection.
bool is_websocket_figure(const std::string& name);

// Its value for one configuration (nullopt: no tick read, or the memory not read).
std::optional<double> websocket_figure(const std::string& name, const ConfigurationResult& r);

}  // namespace lab
