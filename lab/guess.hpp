#pragma once
// A guess as the class types it, before a run (`lab run --predict`, the room's guess page):
// "1.5", "1.5 s", "250 ms", "" (no guess). A guess is of one figure with one unit; a time may be
// written in the other unit of time (ms for s, s for ms) and is converted, anything else is
// refused with the reason, so a typo never becomes a silent guess.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// The largest guess the lab takes, in any unit: past it, a typo rather than a guess.
inline constexpr double largest_guess = 1e6;

struct ReadGuess {
    std::optional<double> value;  // in `unit`; none: no guess (blank)
    std::string error;  // why the text is not a guess; empty when it is one (or blank)
};
// `unit` is the figure's: "s", "ms", "MiB", "%", or "" (a count).
ReadGuess read_guess(std::string_view text, std::string_view unit);

struct ReadGuesses {
    std::vector<std::optional<double>> values;  // one per place of the list, blank ones empty
    std::string error;  // the first place that is not a guess, and why
};
// "1.0,,0.1": one guess per configuration, in order; a blank place is no guess. A list of
// another length than `expected` is refused, saying how many it needs.
ReadGuesses read_guesses(std::string_view list, std::string_view unit, std::size_t expected);

// What one `written` unit is in `unit` (0.001 for ms in a figure of s), or nullopt when they
// measure different things; the same unit, or none written, is 1.
std::optional<double> unit_factor(std::string_view written, std::string_view unit);

struct ReadChoice {
    std::optional<std::size_t> index;  // from 0; none: no choice (blank)
    std::string error;  // why the text is not a choice; empty when it is one (or blank)
};
// "2": one of `count` choices as the terminal numbers them, from 1.
ReadChoice read_choice(std::string_view text, std::size_t count);

// "e.g. 1.5": an example of a guess in the unit, for a prompt.
std::string guess_example(std::string_view unit);

}  // namespace lab
