#pragma once
// The websockets lesson's figures (lab/scenario/figure_catalogue.hpp names them), from its batches:
// each tick a client read is a record whose latency is the tick's lateness
// (harness/websocket_load.hpp).
#include <optional>
#include <string>

#include "lab/run/run_result.hpp"
#include "lab/scenario/figure_catalogue.hpp"

namespace lab {

// The value for one configuration of tick_late_p50, tick_late_p99, tick_late_max, connections_held
// memory_per_connection or reply_min (nullopt: no tick read, the memory not read, or no reply
// read).
std::optional<double> websocket_figure(Figure figure, const ConfigurationResult& r);

// Why no tick's lateness was measured, as the records tell it: the messages the app sent that
// were no tick (the first one's text, while the run is fresh), those over the lab's limit, and
// the clients that read nothing. Never "dropped its client": the server held those open.
std::string why_no_tick(const ConfigurationResult& r);

}  // namespace lab
