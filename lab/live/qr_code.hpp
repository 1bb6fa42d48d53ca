#pragma once
// A QR code of the room's guess address, for the projector (`lab run --predict-page`): phones in
// the room scan it instead of typing the URL. Made by libqrencode (Debian's): byte mode, the lowest
// error correction (L: a projected code is clean), versions 1 to 4 (21 to 33 modules a side, up to
// 78 bytes: any http://ADDRESS:PORT/guess), drawn by the page as inline SVG (it fetches nothing).
#include <string_view>
#include <vector>

namespace lab {

inline constexpr std::size_t qr_most_bytes = 78;  // version 4, level L

// The symbol's modules, row by row, true for dark (no quiet zone: the page leaves 4 modules of
// margin); empty when `text` is longer than qr_most_bytes.
std::vector<std::vector<bool>> qr_code(std::string_view text);

}  // namespace lab
