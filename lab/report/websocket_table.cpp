#include "lab/report/websocket_table.hpp"

#include "lab/report/key_figure.hpp"
#include "lab/report/predictions.hpp"
#include "lab/scenario/figure_catalogue.hpp"

namespace lab {

std::vector<Column> websocket_columns(const RunResult& run) {
    Column label{.header = "configuration", .wraps = true};
    Column mode{.header = "mode", .fold_order = 1};
    Column late{.header = "each client's latest tick: median client / p99 / worst",
                .narrow_header = "latest tick p50/p99/max",
                .wraps = true};
    Column held{.header = "WebSockets held", .narrow_header = "held"};
    Column memory{
        .header = "memory per WebSocket (PSS)", .narrow_header = "per WebSocket", .fold_order = 2};
    for (const auto& r : run.configurations) {
        label.cells.push_back(r.configuration.label);
        mode.cells.push_back(r.configuration.mode);
        if (!r.error.empty()) {
            late.cells.push_back("did not run: " + r.error);
            held.cells.push_back("—");
            memory.cells.push_back("—");
            continue;
        }
        late.cells.push_back(figure_cell(Figure::tick_late_p50, r) + " / " +
                             figure_cell(Figure::tick_late_p99, r) + " / " +
                             figure_cell(Figure::tick_late_max, r));
        held.cells.push_back(figure_cell(Figure::connections_held, r) + " of " +
                             std::to_string(r.load.requests));
        memory.cells.push_back(figure_cell(Figure::memory_per_connection, r));
    }
    if (has_guesses(run)) return {label, mode, late, guess_column(run), held, memory};
    return {label, mode, late, held, memory};
}

}  // namespace lab
