#pragma once
// The one SVG writer report.html's pictures are drawn with: a mark and its attributes, its text
// escaped by escape() (html_report.cpp, the page's one way from text to HTML), the time axis the
// charts share, and their width and colours (each once, for every file that draws).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lab/layout.hpp"

namespace lab {

// The one place text becomes HTML (defined in html_report.cpp).
std::string escape(std::string_view text);

namespace svg {

// Every first-screen picture is this wide (px), so that their time axes line up.
inline constexpr int width = 960;

// Colours. "Being served" is blue; worker processes get colours of their own (never that blue),
// so a timeline coloured by worker cannot be misread as one coloured by state.
inline constexpr const char *waiting_colour = "#c9d3df", *served_colour = "#1f5fa8";
inline constexpr const char* bystander_colour = "#d35400";  // the bystander probe's requests
inline constexpr const char* answered_colour = "#111111";  // a queued job's 202: a thin mark
inline const char* worker_palette[] = {"#c0392b", "#1e8449", "#8e44ad", "#d35400",
                                       "#117a65", "#7d6608", "#2e4053", "#b7950b"};
inline const char* series_palette[] = {"#1f5fa8", "#c0392b", "#7f8c8d", "#e0a800"};
// Measured, model, document.
inline const char* makespan_palette[] = {"#1f5fa8", "#7f8c8d", "#e0a800"};
inline constexpr const char *guess_colour = "#f5cba7",
                            *guess_outline = "#a04000";  // the class's guess: pale, outlined
inline constexpr const char* queue_colour = "#8e44ad";
// A probed app's waits inside its service: for a thread token, for a database connection.
inline constexpr const char *token_wait_colour = "#f1c40f", *connection_wait_colour = "#16a085";
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

// Each name="value" of a mark, in order: ` x="1.5" class="grid"` (a number as a stream writes
// it; text the lab did not write passed through escape() first). Last, if given, those already
// written: the ones a mark has only sometimes.
inline std::string attributes(const std::string& written = {}) { return written; }
template <class Value, class... More>
std::string attributes(const char* name, const Value& value, const More&... more) {
    std::ostringstream written;
    written << ' ' << name << "=\"" << value << '"';
    return written.str() + attributes(more...);
}

// <name .../>, or with a title (what a pointer resting on it reads) <name ...><title/></name>; a
// line each, as every mark below.
template <class... Attributes>
void mark(std::ostream& out, const char* name, std::string_view title, const Attributes&... a) {
    out << '<' << name << attributes(a...);
    if (title.empty()) out << "/>\n";
    else out << "><title>" << escape(title) << "</title></" << name << ">\n";
}

// <text ...>words</text>
template <class... Attributes>
void text(std::ostream& out, std::string_view words, const Attributes&... a) {
    out << "<text" << attributes(a...) << '>' << escape(words) << "</text>\n";
}

// A picture's start: <svg class ... viewBox="0 0 width height" role="img" aria-label>, `more`
// (its data-*) after its class; its marks follow, then "</svg>\n".
template <class... Attributes>
void picture(std::ostream& out, const std::string& css_class, int width, int height,
             std::string_view label, const Attributes&... more) {
    out << "<svg"
        << attributes("class", css_class, more..., "viewBox",
                      "0 0 " + std::to_string(width) + ' ' + std::to_string(height), "role", "img",
                      "aria-label", escape(label))
        << ">\n";
}

// A legend: one entry for every colour a picture uses (colour, what it means), as HTML before it.
using Legend = std::vector<std::pair<std::string, std::string>>;
inline void legend(std::ostream& out, const Legend& entries) {
    out << "<div class=\"legend\">";
    for (const auto& [colour, what] : entries)
        out << "<span class=\"entry\"><span class=\"swatch\" data-colour=\"" << colour
            << "\" style=\"background:" << colour << "\"></span>" << escape(what) << "</span>";
    out << "</div>\n";
}

// A time axis: a grid line at each tick from y1 to y2, its time in seconds below at label_y. Its
// ticks at round numbers (0.25 s, 0.5 s, ...), four to eight of them, as the live page's
// (lab/live/live_page.html's drawAxis): 1, 2, 2.5 or 5 times a power of ten.
inline void time_axis(std::ostream& out, double left, double plot, double y1, double y2,
                      double label_y, double seconds) {
    if (seconds <= 0) return;
    const double rough = seconds / 5, power = std::pow(10.0, std::floor(std::log10(rough)));
    double step = 10 * power;
    for (double m : {5.0, 2.5, 2.0, 1.0})
        if (m * power >= rough) step = m * power;
    const int digits = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)) +
                                       (std::abs(step / power - 2.5) < 1e-9 ? 1 : 0));
    for (int k = 0; k * step <= seconds * (1 + 1e-9); ++k) {
        const double x = left + k * step / seconds * plot;
        mark(out, "line", "", "x1", x, "y1", y1, "x2", x, "y2", y2, "class", "grid");
        text(out, fixed(k * step, digits) + " s", "x", x, "y", label_y, "class", "tick");
    }
}

}  // namespace svg
}  // namespace lab
