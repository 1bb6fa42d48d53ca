#pragma once
// How the websockets lesson is shown: its table (each configuration's clients' worst tick
// lateness, the WebSockets held, what one cost the server in memory); its key figure's bars are
// key_figure.cpp's.
#include <vector>

#include "lab/layout.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

std::vector<Column> websocket_columns(const RunResult& run);

}  // namespace lab
