#include "lab/bounded_json.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace lab {
namespace {

template <class Text>
nlohmann::json parsed_at_most(Text&& text, bool* too_deep) {
    int deepest = 0;
    nlohmann::json value = nlohmann::json::parse(
        text,
        [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            using Event = nlohmann::json::parse_event_t;
            // (an object or array opens at the depth it sits in: its contents are one deeper)
            if (event == Event::object_start || event == Event::array_start)
                deepest = std::max(deepest, depth + 1);
            return deepest <= most_json_depth;  // (what is deeper is not kept while it is read)
        },
        false);
    if (too_deep) *too_deep = deepest > most_json_depth;
    return deepest > most_json_depth ? nlohmann::json(nlohmann::json::value_t::discarded) : value;
}

}  // namespace

nlohmann::json parse_bounded_json(std::string_view text, bool* too_deep) {
    return parsed_at_most(text, too_deep);
}

nlohmann::json parse_bounded_json(std::istream& text, bool* too_deep) {
    return parsed_at_most(text, too_deep);
}

std::ifstream open_regular_file(const std::filesystem::path& file, std::uintmax_t& bytes,
                                std::string& why) {
    std::ifstream in;
    const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    struct stat status {};
    if (fd < 0 && errno != ELOOP) why = "cannot be read";
    else if (fd < 0 || ::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode))
        why = "is not a regular file (a link, a device, a pipe or a folder)";
    else in.open("/proc/self/fd/" + std::to_string(fd), std::ios::binary);  // (the file opened)
    if (fd >= 0) ::close(fd);
    if (why.empty() && !in) why = "cannot be read";
    bytes = static_cast<std::uintmax_t>(status.st_size);
    return in;
}

}  // namespace lab
