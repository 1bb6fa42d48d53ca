#pragma once
// How `lab run --predict` gets the class's guesses before the run: from the command line
// (`--predict 1.0,0.1`, for scripts), asked on the terminal one configuration at a time (a bad
// answer is said and asked again), or from the room's form on the live view (--predict-page).
// Each guess goes on its configuration (Configuration::guess), and from there to the table,
// report.html, summary.json and the live page.
#include <iosfwd>
#include <string>

#include "lab/live/live_hub.hpp"
#include "lab/scenario/scenario.hpp"

namespace lab {

// The live page's "room" event: `count` sendings of the room's `size` (0: not said), each
// configuration's guesses (`room`, in the configurations' order) and their median, the form
// `open` or closed (`lab replay` tells a run's kept).
nlohmann::json room_event(const Scenario& s, const std::vector<std::vector<double>>& room,
                          std::size_t count, bool open, std::size_t size = 0);
// Whether the lesson has one number to guess per configuration; if not, `why` says so.
bool guessable(const Scenario& s, std::string& why);
// What is asked: "how long all 10 requests took (median of the batches), in s".
std::string guess_question(const Scenario& s);
// --predict LIST: false, with `why`, when a guess is not one or the list has the wrong length.
bool take_guesses(Scenario& s, const std::string& list, std::string& why);
// --predict alone: the question, then each configuration in turn, read from `in` (to its end);
// with a live view (`hub`), the projector shows the question and the choices meanwhile.
void ask_guesses(Scenario& s, std::istream& in, std::ostream& out, LiveHub* hub = nullptr);
// --predict-page: opens the room's form on the hub for `room_size` sendings, takes guesses until a
// line (Enter) or the end of `in` (said: the form was open for no time); then each configuration
// gets the room's guesses.
void gather_room_guesses(Scenario& s, LiveHub& hub, std::istream& in, std::ostream& out,
                         std::size_t room_size);

}  // namespace lab
