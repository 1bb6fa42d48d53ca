#include "lab/byte_sizes.hpp"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

namespace lab {

std::optional<std::size_t> parse_byte_size(std::string_view text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    int shift = unit.empty()                 ? 0
                : unit == "k" || unit == "K" ? 10
                : unit == "m" || unit == "M" ? 20
                : unit == "g" || unit == "G" ? 30
                                             : -1;
    if (shift < 0 || n > (std::uint64_t{1} << 40) >> shift)
        return std::nullopt;  // (a terabyte is past any limit of the lab's)
    return static_cast<std::size_t>(n << shift);
}

std::string byte_size_text(std::size_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB"};
    double value = static_cast<double>(bytes);
    int u = 0;
    for (; value >= 1024 && u < 3; ++u) value /= 1024;
    return fmt::format("{:g} {}", value, units[u]);  // (exact sizes print whole: 8 KiB, 1 MiB)
}

}  // namespace lab
