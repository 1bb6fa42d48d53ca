#include "lab/live/live_page.hpp"

#include "lab/live/guess_page.html.hpp"
// lab/live/live_page.html, embedded at build time (cmake/Embed.cmake)
#include "lab/live/live_page.html.hpp"

namespace lab {

// Events (one JSON object each, lab/live/live_hub.hpp): plan, configuration, batch, sent, start,
// end, answered (of the requests drawn), count (of all answers), columns, row, footnote, measured
// (a configuration's guessed figure, once run), done; and, under `lab serve --live`, mark. Times
// are seconds on the batch's own axis (from its start), the axis every lane shares.
std::string_view live_page() { return live_page_html; }

std::string_view guess_page() { return guess_page_html; }

}  // namespace lab
