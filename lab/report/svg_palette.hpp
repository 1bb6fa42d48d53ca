#pragma once
// The colours report.html's pictures share, and their width: each once, for every file that draws
// (svg_charts.cpp, svg_timeline.cpp).
#include <cstddef>
#include <iterator>

namespace lab::svg {

// Every first-screen picture is this wide (px), so that their time axes line up.
inline constexpr int width = 960;

// Colours. "Being served" is blue; worker processes get colours of their own (never that blue),
// so a timeline coloured by worker cannot be misread as one coloured by state.
inline constexpr const char* waiting_colour = "#c9d3df";
inline constexpr const char* served_colour = "#1f5fa8";
// The bystander probe's requests, beside the load's.
inline constexpr const char* bystander_colour = "#d35400";
inline constexpr const char* answered_colour = "#111111";  // a queued job's 202: a thin mark
inline const char* worker_palette[] = {"#c0392b", "#1e8449", "#8e44ad", "#d35400",
                                       "#117a65", "#7d6608", "#2e4053", "#b7950b"};
inline const char* series_palette[] = {"#1f5fa8", "#c0392b", "#7f8c8d", "#e0a800"};
// Measured, model, document.
inline const char* makespan_palette[] = {"#1f5fa8", "#7f8c8d", "#e0a800"};
inline constexpr const char *guess_colour = "#f5cba7",
                            *guess_outline = "#a04000";  // the class's guess: pale, outlined
inline constexpr const char* queue_colour = "#8e44ad";
inline constexpr const char *from_due_colour = "#d35400", *from_send_colour = "#1f5fa8",
                            *stall_colour = "#f7dc6f";

// A doctor's mix, a colour a route, distinct for 20 routes (Kelly's colours of greatest contrast,
// less the two oranges the bystander's could be taken for).
inline const char* route_palette[] = {"#1f5fa8", "#be0032", "#008856", "#875692", "#f3c300",
                                      "#a1caf1", "#c2b280", "#848482", "#e68fac", "#f99379",
                                      "#604e97", "#f6a600", "#b3446c", "#dcd300", "#882d17",
                                      "#8db600", "#654522", "#2b3d26", "#17becf", "#000080"};
// A hold of a route `lab doctor` names.
inline constexpr const char* named_hold_outline = "#000000";

inline const char* worker_colour(std::size_t rank) {
    return worker_palette[rank % std::size(worker_palette)];
}
inline const char* route_colour(int endpoint) {
    return route_palette[static_cast<std::size_t>(endpoint) % std::size(route_palette)];
}

}  // namespace lab::svg
