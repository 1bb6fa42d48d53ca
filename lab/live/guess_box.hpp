#pragma once
// The room's guesses (`lab run --predict-page`): before the run, several people open the live
// view's /guess page and each sends one guess per configuration. The box checks every guess as
// the terminal does (lab/guess.hpp), keeps at most `most_room_guesses` sendings, and hands them
// to the run. Nothing sent is ever shown as HTML: the page sets text, report.html escapes it.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

inline constexpr std::size_t most_room_guesses = 200;
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
        int status;        // 200, or 400 (a guess the lab cannot take), 409 (the box is full or closed)
        std::string json;  // {"ok": ..., "message": ..., "count": ...}
    };
    // POST /guess with {"guesses": ["0.1", "", ...]}: one text per configuration, blank for none.
    Reply take(std::string_view body);
    // GET /guess/form: the form's words, or (409) that the run has started.
    Reply form() const;
    void close();                   // the run starts: later sendings are refused
    std::size_t count() const;
    // Each configuration's guesses, in the order they came (blank ones left out).
    std::vector<std::vector<double>> by_configuration() const;

private:
    const GuessForm form_;
    mutable std::mutex m_;
    std::vector<std::vector<std::optional<double>>> sent_;
    bool closed_ = false;
};

}  // namespace lab
