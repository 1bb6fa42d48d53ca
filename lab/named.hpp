#pragma once
// Words that stand for one of a fixed set of choices: how workers share a port ("round-robin"), who
// serves a configuration ("fastapi"), how the client sends ("sequential"). Each set is an enum with
// its words in one table beside it (a specialisation of Names), read once where a scenario file,
// summary.json or the command line is read; past that, code compares values, not strings.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lab {

// Specialised next to each enum:
//   template <> struct Names<Balance> {
//       static constexpr std::pair<Balance, std::string_view> list[] = {{Balance::shared,
//       "shared"}, ...};
//   };
template <class E>
struct Names;

template <class E>
concept Named = requires {
    Names<E>::list;
};

template <Named E>
std::string name_of(E value) {
    for (const auto& [each, word] : Names<E>::list)
        if (each == value) return std::string(word);
    return "?";  // (every value of E is in its table)
}

// The value a word names; nullopt for a word of none.
template <Named E>
std::optional<E> named(std::string_view word) {
    for (const auto& [each, name] : Names<E>::list)
        if (name == word) return each;
    return std::nullopt;
}

// Every word, in the table's order: for errors and --help. (A second word for a value, "" that
// older folders kept for a default, is read but never offered.)
template <Named E>
std::vector<std::string> all_names() {
    std::vector<std::string> words;
    for (const auto& entry : Names<E>::list)
        if (name_of(entry.first) == entry.second) words.emplace_back(entry.second);
    return words;
}

}  // namespace lab
