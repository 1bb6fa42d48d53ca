#pragma once
// The live view's page: one self-contained HTML file (its style and script inline, nothing
// fetched from elsewhere) that draws what /events streams.
#include <string_view>

namespace lab {

std::string_view live_page();
// The room's guess form (`lab run --predict-page`), at /guess: as self-contained.
std::string_view guess_page();

}  // namespace lab
