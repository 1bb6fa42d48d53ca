#include "lab/bounded_json.hpp"

#include <algorithm>

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

}  // namespace lab
