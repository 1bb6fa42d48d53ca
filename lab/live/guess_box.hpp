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
// Forms given out (a reload keeps its token)
inline constexpr std::size_t most_room_senders = 4 * most_room_guesses;
inline constexpr std::size_t largest_guess_body = 4096;  // bytes of one sending
// Forms (and so guesses) one client address is given: a student's reloads keep their token, so a
// client that asks for a fresh form for each guess is asking to be counted again, and its share
// of the room is bounded (several students behind one address, a NAT, share it).
inline constexpr int guess_forms_per_client = 4;

// What the page asks: the lesson's title, the figure in words, its unit, the configurations, and
// the lesson's choices (its [[choice]] texts; none: the page asks numbers only).
struct GuessForm {
    std::string title, question, unit;
    std::vector<std::string> labels = {}, choices = {};
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
    // GET /guess/form from `client` (its address; "" for one not counted): the form's words, or
    // (409) that the run has started. `sender` becomes a token the box gave, a new one unless it
    // already was, and not past the client's guess_forms_per_client (429).
    Reply form(std::string& sender, const std::string& client = "");
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
    std::map<std::string, int> forms_by_client_;
    bool closed_ = false;
};

}  // namespace lab
