#include "lab/guess.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace lab {
namespace {

std::string_view trimmed_line(std::string_view s) {
    s.remove_prefix(std::min(s.find_first_not_of(" \t"), s.size()));
    // (npos + 1 is 0: a line of only spaces is cut to nothing)
    s.remove_suffix(s.size() - (s.find_last_not_of(" \t\r\n") + 1));
    return s;
}

std::string in_words(std::string_view unit) {
    if (unit == "s" || unit == "ms") return "a time in " + std::string(unit);
    if (unit == "MiB") return "memory in MiB";
    if (unit == "%") return "a share in %";
    return "a number";
}

// The number `text` starts with, as a person writes one: digits, a point, an exponent, a sign
// ("+1" is 1); where it ends goes to `end`. One too large for a double is an infinity (and then
// too large a guess), one too small is 0. Words (nan, inf) and anything else: nullopt.
std::optional<double> leading_number(std::string_view text, const char*& end) {
    // (from_chars takes '-', not '+')
    std::string_view digits = text.starts_with('+') ? text.substr(1) : text;
    std::string_view after_sign =
        text.substr(text.starts_with('+') || text.starts_with('-') ? 1 : 0);
    if (after_sign.empty() ||
        !(std::isdigit(static_cast<unsigned char>(after_sign[0])) || after_sign[0] == '.'))
        return std::nullopt;
    double value = 0;
    auto [stop, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    end = stop;
    if (ec == std::errc()) return value;
    if (ec != std::errc::result_out_of_range) return std::nullopt;
    std::string copy(digits.data(), stop);  // out of range: strtod says how (±HUGE_VAL, or about 0)
    return std::strtod(copy.c_str(), nullptr);
}

}  // namespace

std::optional<double> unit_factor(std::string_view written, std::string_view unit) {
    if (written.empty() || written == unit || (unit == "" && written == "requests")) return 1.0;
    if (unit == "s" && written == "ms") return 0.001;
    if (unit == "ms" && written == "s") return 1000.0;
    if (unit == "MiB" && written == "KiB") return 1.0 / 1024;
    if (unit == "MiB" && written == "GiB") return 1024.0;
    return std::nullopt;
}

ReadGuess read_guess(std::string_view text, std::string_view unit) {
    text = trimmed_line(text);
    if (text.empty()) return {};
    const char* end = text.data();
    auto number = leading_number(text, end);
    std::string quoted(1, '\'');  // (built by appending: g++ 12 warns wrongly of "'" + std::string)
    quoted.append(text.substr(0, 40)).push_back('\'');
    if (!number)
        return {std::nullopt, quoted + " is not a number (e.g. " + guess_example(unit) + ")"};
    double value = *number;
    // Its unit, if any
    std::string_view written =
        trimmed_line(text.substr(static_cast<std::size_t>(end - text.data())));
    auto scale = unit_factor(written, unit);
    if (!scale)
        return {std::nullopt, quoted + ": this guess is " + in_words(unit) + ", and " +
                                  std::string(written.size() > 12 ? "that" : written) +
                                  " is not (write e.g. " + guess_example(unit) + ")"};
    value *= *scale;
    // (-0 too)
    if (std::signbit(value))
        return {std::nullopt, quoted + " is negative: nothing the lab measures is"};
    if (unit == "%" && value > 100)
        return {std::nullopt, quoted + " is more than the whole: a share is at most 100 %"};
    if (value > largest_guess)
        return {std::nullopt, quoted + " is too large (at most " +
                                  std::to_string(static_cast<long>(largest_guess)) + " " +
                                  std::string(unit) + ")"};
    return {value, ""};
}

ReadGuesses read_guesses(std::string_view list, std::string_view unit, std::size_t expected) {
    ReadGuesses out;
    for (std::size_t start = 0;;) {
        std::size_t comma = list.find(',', start);
        std::string_view one = list.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        ReadGuess guess = read_guess(one, unit);
        if (!guess.error.empty() && out.error.empty())
            out.error = "guess " + std::to_string(out.values.size() + 1) + ": " + guess.error;
        out.values.push_back(guess.value);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (out.error.empty() && out.values.size() != expected)
        out.error =
            std::to_string(out.values.size()) +
            (out.values.size() == 1 ? " guess for " : " guesses for ") + std::to_string(expected) +
            (expected == 1 ? " configuration" : " configurations") +
            ": give one per configuration, in order, an empty place for none (e.g. 1.0,,0.2)";
    return out;
}

ReadChoice read_choice(std::string_view text, std::size_t count) {
    text = trimmed_line(text);
    if (text.empty()) return {};
    std::size_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc() || end != text.data() + text.size() || number < 1 || number > count)
        return {std::nullopt, "'" + std::string(text.substr(0, 40)) +
                                  "' is not one of the choices, 1 to " + std::to_string(count)};
    return {number - 1, ""};
}

std::string guess_example(std::string_view unit) {
    if (unit == "s") return "1.5, or 1500 ms";
    if (unit == "ms") return "250, or 0.25 s";
    if (unit == "MiB") return "40";
    if (unit == "%") return "25";
    return "3";
}

}  // namespace lab
