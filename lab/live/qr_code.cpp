#include "lab/live/qr_code.hpp"

#include <memory>
#include <string>

#include <qrencode.h>

namespace lab {

std::vector<std::vector<bool>> qr_code(std::string_view text) {
    if (text.size() > qr_most_bytes || text.find('\0') != std::string_view::npos) return {};
    const std::string terminated(text);  // (the library reads up to a NUL)
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString8bit(terminated.c_str(), 0, QR_ECLEVEL_L), &QRcode_free);
    if (!code) return {};
    const auto n = static_cast<std::size_t>(code->width);
    std::vector<std::vector<bool>> modules(n, std::vector<bool>(n));
    for (std::size_t y = 0; y < n; ++y)
        for (std::size_t x = 0; x < n; ++x)
            modules[y][x] = code->data[y * n + x] & 1;  // (bit 0: dark; the rest, how it was made)
    return modules;
}

}  // namespace lab
