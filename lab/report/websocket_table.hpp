#pragma once
// How the websockets lesson is shown: its table (each configuration's clients' worst tick
// lateness, the WebSockets held, what one cost the server in memory) and its key figure's bars.
#include <vector>

#include "lab/layout.hpp"
#include "lab/report/key_figure.hpp"

namespace lab {

std::vector<Column> websocket_columns(const RunResult& run);
FigureBars tick_lateness_bars(const RunResult& run);

}  // namespace lab
