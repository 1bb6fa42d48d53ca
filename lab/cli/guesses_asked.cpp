#include "lab/cli/guesses_asked.hpp"

#include <unistd.h>

#include <istream>
#include <ostream>

#include "lab/guess.hpp"
#include "lab/layout.hpp"
#include "lab/report/predictions.hpp"
#include "lab/report/report.hpp"
#include "lab/run/figure_catalogue.hpp"

namespace lab {
namespace {

const FigureInfo& guessed(const Scenario& s) { return *guessed_figure(s.key_figure); }  // (after guessable())

// What the class sees before it guesses: the lesson's title and its load, not its text (which
// says what happens).
void set_the_scene(const Scenario& s, std::ostream& out) {
    out << printable(s.title) << '\n' << printable(load_line(RunResult{s, {}})) << '\n'
        << "Predict first, for each configuration: " << printable(guess_question(s)) << " (e.g. " << guess_example(guessed(s).unit)
        << "; an empty line: no guess).\n";
}

}  // namespace

std::string guess_question(const Scenario& s) {
    const FigureInfo& f = guessed(s);
    return guessed_what(s) + (f.unit.empty() ? "" : ", in " + f.unit);
}

bool guessable(const Scenario& s, std::string& why) {
    if (s.sweep) why = "--predict: a sweep draws a curve per configuration, not one number to guess; give its option one value to predict";
    else if (!guessed_figure(s.key_figure))
        why = "--predict: " + s.name + "'s key figure (" + to_string(s.key_figure) + ") is not one number to guess";
    return why.empty();
}

bool take_guesses(Scenario& s, const std::string& list, std::string& why) {
    if (!guessable(s, why)) return false;
    ReadGuesses read = read_guesses(list, guessed(s).unit, s.configurations.size());
    if (!read.error.empty()) {
        why = "--predict " + list.substr(0, 60) + ": " + read.error + " (" + guess_question(s) + ")";
        return false;
    }
    for (std::size_t k = 0; k < s.configurations.size(); ++k) s.configurations[k].guess = read.values[k];
    return true;
}

void ask_guesses(Scenario& s, std::istream& in, std::ostream& out) {
    set_the_scene(s, out);
    const std::string& unit = guessed(s).unit;
    for (Configuration& c : s.configurations) {
        for (;;) {  // until a guess, a blank, or the end of the input
            out << "  " << printable(c.label) << " (" << (unit.empty() ? "a count" : unit) << "): " << std::flush;
            std::string line;
            if (!std::getline(in, line)) {
                out << '\n';
                return;
            }
            if (!isatty(STDIN_FILENO)) out << printable(line) << '\n';  // (typed from a file or a pipe: shown as if typed)
            ReadGuess guess = read_guess(line, unit);
            if (guess.error.empty()) {
                c.guess = guess.value;
                break;
            }
            out << "  " << printable(guess.error) << ": try again, or leave it empty.\n";
        }
    }
}

void gather_room_guesses(Scenario& s, LiveHub& hub, std::istream& in, std::ostream& out) {
    GuessForm form{s.title, guessed_what(s), guessed(s).unit, {}};
    for (const Configuration& c : s.configurations) form.labels.push_back(c.label);
    out << "guesses: " << hub.open_guesses(std::move(form)) << "  (the room opens it and guesses; press Enter to start the run)\n"
        << std::flush;
    std::string line;
    if (!std::getline(in, line)) out << "lab: notice: the input ended before Enter, so the form closed at once\n";
    auto room = hub.close_guesses();
    out << "guesses: " << hub.guesses_so_far() << " sent; the run starts\n";
    for (std::size_t k = 0; k < s.configurations.size() && k < room.size(); ++k) s.configurations[k].room_guesses = room[k];
}

}  // namespace lab
