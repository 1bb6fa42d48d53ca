#pragma once
// Sizes as a user types them and as the lab says them: `lab load --max-body 4M` and "body over
// 1 MiB" are the same number.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lab {

// As curl's --max-filesize takes a size: whole bytes, or followed by k, M or G (powers of 1024;
// either case). Nothing else: no sign, no fraction, no space, no NaN.
std::optional<std::size_t> parse_byte_size(std::string_view text);

// "300 B", "8 KiB", "1 MiB", "1.5 MiB": a limit as the lab says it.
std::string byte_size_text(std::size_t bytes);

}  // namespace lab
