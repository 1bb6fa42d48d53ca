#pragma once
// JSON from outside the lab (a results folder's file, a probe's or a server's answer) read with
// its depth bounded: nlohmann's parser keeps its own stack, but whatever walks the value after it
// (a reader, Python's json.load behind app_routes.py) recurses, so a text 100,000 levels deep
// must stop here, named, rather than crash a reader further on.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lab {

// A schema nests a few dozen levels; the lab's own files and answers fewer than ten.
inline constexpr int most_json_depth = 100;

// The value; a discarded one (is_discarded()) when the text is not JSON or nests deeper than
// most_json_depth (`too_deep` then says so, where given).
nlohmann::json parse_bounded_json(std::string_view text, bool* too_deep = nullptr);
nlohmann::json parse_bounded_json(std::istream& text, bool* too_deep = nullptr);

// A file from outside (a results folder's, an --examples file) opened once: never blocking (a
// FIFO swapped in after a check would hang its reader), never through a link, and the open file's
// own fstat says it is a regular file; `bytes` is its size, for the caller to bound. The stream
// reads that same file; unopened, with `why` ("cannot be read", "is not a regular file (...)").
std::ifstream open_regular_file(const std::filesystem::path& file, std::uintmax_t& bytes,
                                std::string& why);

}  // namespace lab
