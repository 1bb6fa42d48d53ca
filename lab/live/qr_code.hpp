#pragma once
// A QR code of the room's guess address, for the projector (`lab run --predict-page`): phones in
// the room scan it instead of typing the URL. Made here, by ISO/IEC 18004's rules, because the
// page fetches nothing from elsewhere and no library is at hand: byte mode, the lowest error
// correction (L: a projected code is clean), versions 1 to 4 (21 to 33 modules a side, up to 78
// bytes: any http://ADDRESS:PORT/guess), one block of Reed-Solomon codewords, the mask with the
// lowest penalty.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

inline constexpr std::size_t qr_most_bytes = 78;  // version 4, level L

// The symbol's modules, row by row, true for dark (no quiet zone: the page leaves 4 modules of
// margin); empty when `text` is longer than qr_most_bytes.
std::vector<std::vector<bool>> qr_code(std::string_view text);

// The pieces, for the tests: `count` Reed-Solomon codewords of `data` (GF(256), x^8+x^4+x^3+x^2+1),
// and the 15 bits of format information for level L and `mask` (0-7), BCH-coded and masked.
std::vector<std::uint8_t> reed_solomon(const std::vector<std::uint8_t>& data, int count);
int qr_format_bits(int mask);

}  // namespace lab
