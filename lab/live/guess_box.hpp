#pragma once
// The room's guesses (`lab run --predict-page`): before the run, several people open the live
// view's /guess page and each sends one guess per configuration. The box checks every guess as
// the terminal does (lab/guess.hpp), keeps one sending per sender (the token its form gave: a
// re-send replaces it), at most the room's size of them, and hands them to the run. Nothing
// sent is ever shown as HTML: the page sets text, report.html escapes it.
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

inline constexpr std::size_t most_room_guesses = 200;  // the largest room (--room-size)
inline constexpr std::size_t largest_guess_body = 4096;  // bytes of one sending

// What the page asks: the lesson's title, the figure in words, its unit, the configurations, and
// the lesson's choices (its [[choice]] texts; none: the page asks numbers only).
struct GuessForm {
    std::string title, question, unit;
    std::vector<std::string> labels = {}, choices = {};
    // Its sendings at most, and 4 forms a sending kept unsent (a reload keeps its token). A form a
    // browser asks for past them is given, and the oldest form not yet sent is forgotten: a class
    // behind one address (a NAT, a container's port) is never refused, and a client asking for
    // forms in a loop costs only unsent forms, never a guess sent.
    std::size_t room_size = most_room_guesses;
};

class GuessBox {
public:
    explicit GuessBox(GuessForm form) : form_(std::move(form)) {}

    struct Reply {
        int status;  // 200; 400: a guess it cannot take, or an unknown sender; 409: full or closed
        std::string json;  // {"ok": ..., "message": ..., "count": ...}
    };
    // POST /guess with {"guesses": ["0.1", "", ...], "choice": 1}: one text per configuration,
    // blank for none, and a choice's place from 0 (absent or null: none), from `sender` (a token
    // form() gave): its earlier sending, if any, is replaced. A sending with every box blank and
    // no choice is refused (400): an empty form is not a guess, and is not counted.
    Reply take(std::string_view body, const std::string& sender);
    // GET /guess/form: the form's words, or (409) that the run has started. `sender` becomes a
    // token the box gave: a new one (one per browser) unless it already was.
    Reply form(std::string& sender);
    void close();  // the run starts: later sendings are refused
    std::size_t count() const;
    // Each configuration's guesses, in the order they came (blank ones left out).
    std::vector<std::vector<double>> by_configuration() const;
    // How many picked each choice.
    std::vector<std::size_t> choice_counts() const;

private:
    const GuessForm form_;
    mutable std::mutex m_;
    struct Sending {
        std::vector<std::optional<double>> guesses;
        std::optional<std::size_t> choice;
    };
    std::vector<Sending> sent_;
    // Token -> its sending in sent_, once sent
    std::map<std::string, std::optional<std::size_t>> senders_;
    std::deque<std::string> given_;  // the tokens, oldest first: the first unsent goes when full
    bool closed_ = false;
};

}  // namespace lab
