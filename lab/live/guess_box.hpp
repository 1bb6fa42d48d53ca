#pragma once
// The room's guesses (`lab run --predict-page`): before the run, several people open the live
// view's /guess page and each sends one guess per configuration. The box checks every guess as
// the terminal does (lab/guess.hpp), keeps one sending per sender (the token its form gave: a
// re-send replaces it), at most `most_room_guesses` of them, and hands them to the run. Nothing
// sent is ever shown as HTML: the page sets text, report.html escapes it.
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

inline constexpr std::size_t most_room_guesses = 200;
inline constexpr std::size_t most_room_senders =
    4 * most_room_guesses;  // forms given out (a reload keeps its token)
inline constexpr std::size_t largest_guess_body = 4096;  // bytes of one sending

// What the page asks: the lesson's title, the figure in words, its unit, and the configurations.
struct GuessForm {
    std::string title, question, unit;
    std::vector<std::string> labels;
};

class GuessBox {
public:
    explicit GuessBox(GuessForm form) : form_(std::move(form)) {}

    struct Reply {
        int status;  // 200, or 400 (a guess the lab cannot take, a sender it does not know), 409
                     // (full or closed)
        std::string json;  // {"ok": ..., "message": ..., "count": ...}
    };
    // POST /guess with {"guesses": ["0.1", "", ...]}: one text per configuration, blank for none,
    // from `sender` (a token form() gave): its earlier sending, if any, is replaced. A sending
    // with every box blank is refused (400): an empty form is not a guess, and is not counted.
    Reply take(std::string_view body, const std::string& sender);
    // GET /guess/form: the form's words, or (409) that the run has started. `sender` becomes a
    // token the box gave, a new one unless it already was.
    Reply form(std::string& sender);
    void close();  // the run starts: later sendings are refused
    std::size_t count() const;
    // Each configuration's guesses, in the order they came (blank ones left out).
    std::vector<std::vector<double>> by_configuration() const;

private:
    const GuessForm form_;
    mutable std::mutex m_;
    std::vector<std::vector<std::optional<double>>> sent_;
    std::map<std::string, std::optional<std::size_t>>
        senders_;  // token -> its sending in sent_, once sent
    bool closed_ = false;
};

}  // namespace lab
