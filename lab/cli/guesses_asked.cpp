#include "lab/cli/guesses_asked.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <istream>
#include <mutex>
#include <ostream>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "lab/guess.hpp"
#include "lab/layout.hpp"
#include "lab/report/predictions.hpp"
#include "lab/report/report.hpp"
#include "lab/scenario/figure_catalogue.hpp"

namespace lab {
namespace {

// The figure guessed (after guessable()).
const FigureInfo& guessed(const Scenario& s) { return info(*guessed_figure(s.key_figure)); }

// What the room's form and the projector ask: the title, the figure, each configuration, the
// choices.
GuessForm form_of(const Scenario& s) {
    GuessForm form{s.title, guessed_what(s), std::string(guessed(s).unit), {}};
    for (const Configuration& c : s.configurations) form.labels.push_back(c.label);
    for (const Choice& c : s.choices) form.choices.push_back(c.says.claim);
    return form;
}

// The class sees, before it guesses, the title and load, not the text (which says what happens).
void set_the_scene(const Scenario& s, std::ostream& out) {
    const int columns = terminal_columns(STDERR_FILENO);
    out << wrap(printable(s.title), columns)
        << wrap(printable(load_line(RunResult{s, {}})), columns)
        << wrap("Predict first, for each configuration: " + printable(guess_question(s)) +
                    " (e.g. " + guess_example(guessed(s).unit) + "; an empty line: no guess).",
                columns);
}

// The room's guesses on the live page while the form is open: the count and each configuration's
// guesses with their median, sent again whenever they change (a new guess, or one replaced), and
// once more when the form closes; the terminal is told when the page is open, so the teacher
// knows the room can see the address. A thread of its own, since the terminal waits for Enter.
class RoomOnProjector {
public:
    RoomOnProjector(const Scenario& s, LiveHub& hub, std::ostream& out, std::size_t size)
        : s_(s), hub_(hub), out_(out), size_(size), watcher_([this](std::stop_token stop) {
              watch(stop);
          }) {}
    void closed(const std::vector<std::vector<double>>& room) {
        watcher_.request_stop();
        watcher_.join();
        hub_.publish(room_event(s_, room, hub_.guesses_so_far(), false, size_));
    }

private:
    void watch(std::stop_token stop) {
        std::vector<std::vector<double>> shown;
        bool page_open = false, full_said = false;
        std::mutex m;
        std::condition_variable_any woken;  // (by the stop alone)
        std::unique_lock lock(m);
        for (bool first = true; !stop.stop_requested(); first = false) {
            auto now = hub_.room_guesses();
            const std::size_t count = hub_.guesses_so_far();
            if (first || now != shown) hub_.publish(room_event(s_, now, count, true, size_));
            if (count == size_ && !std::exchange(full_said, true))
                out_ << "guesses: the room is full (" << count << "); press Enter\n" << std::flush;
            if (!page_open && (page_open = hub_.wait_for_viewer(std::chrono::milliseconds(0))))
                out_ << "live view: a page is open; press Enter when the room has guessed\n"
                     << std::flush;
            shown = std::move(now);
            woken.wait_for(lock, stop, std::chrono::milliseconds(200), [] { return false; });
        }
    }
    const Scenario& s_;
    LiveHub& hub_;
    std::ostream& out_;
    const std::size_t size_;
    std::jthread watcher_;  // (last: starts once the rest is ready; stopped and joined as it goes)
};

// One answer: `prompt`, then `read` of each line until it takes one (true), an error said each
// time; false at the end of the input.
template <class Read>
bool asked(const std::string& prompt, std::istream& in, std::ostream& out, Read read) {
    for (;;) {  // until an answer, a blank, or the end of the input
        out << "  " << prompt << ": " << std::flush;
        std::string line;
        if (!std::getline(in, line)) {
            out << '\n';
            return false;
        }
        if (!isatty(STDIN_FILENO))
            out << printable(line) << '\n';  // (typed from a file or a pipe: shown as if typed)
        if (const std::string error = read(line); !error.empty())
            out << "  " << printable(error) << ": try again, or leave it empty.\n";
        else return true;
    }
}

}  // namespace

std::string guess_question(const Scenario& s) {
    const FigureInfo& f = guessed(s);
    return guessed_what(s) + (f.unit.empty() ? "" : ", in " + std::string(f.unit));
}

nlohmann::json room_event(const Scenario& s, const std::vector<std::vector<double>>& room,
                          std::size_t count, bool open, std::size_t size) {
    const FigureInfo& f = guessed(s);
    nlohmann::json configurations = nlohmann::json::array();
    for (std::size_t k = 0; k < s.configurations.size(); ++k) {
        nlohmann::json c{{"label", s.configurations[k].label},
                         {"guesses", k < room.size() ? room[k] : std::vector<double>{}}};
        if (k < room.size() && !room[k].empty())
            c["median"] = room_spread(room[k], std::nullopt, std::string(f.unit)).median;
        configurations.push_back(std::move(c));
    }
    return {{"type", "room"},          {"open", open},
            {"count", count},          {"size", size},
            {"what", guessed_what(s)}, {"unit", f.unit},
            {"digits", f.digits},      {"configurations", std::move(configurations)}};
}

bool guessable(const Scenario& s, std::string& why) {
    if (s.sweep)
        why =
            "--predict: a sweep draws a curve per configuration, not one number to guess; give its "
            "option one value to predict";
    else if (!guessed_figure(s.key_figure))
        why = "--predict: " + s.name + "'s key figure (" + name_of(s.key_figure) +
              ") is not one number to guess";
    return why.empty();
}

bool take_guesses(Scenario& s, const std::string& list, std::string& why) {
    if (!guessable(s, why)) return false;
    ReadGuesses read = read_guesses(list, guessed(s).unit, s.configurations.size());
    if (!read.error.empty()) {
        why =
            "--predict " + list.substr(0, 60) + ": " + read.error + " (" + guess_question(s) + ")";
        return false;
    }
    for (std::size_t k = 0; k < s.configurations.size(); ++k)
        s.configurations[k].guess = read.values[k];
    return true;
}

void ask_guesses(Scenario& s, std::istream& in, std::ostream& out, LiveHub* hub) {
    set_the_scene(s, out);
    if (hub) {  // the projector shows what the terminal asks
        const GuessForm f = form_of(s);
        hub->publish({{"type", "question"},
                      {"title", f.title},
                      {"question", guess_question(s)},
                      {"labels", f.labels},
                      {"choices", f.choices}});
    }
    const std::string unit(guessed(s).unit);
    for (Configuration& c : s.configurations)
        if (!asked(printable(c.label) + " (" + (unit.empty() ? "a count" : unit) + ")", in, out,
                   [&](const std::string& line) {
                       ReadGuess guess = read_guess(line, unit);
                       c.guess = guess.value;
                       return guess.error;
                   }))
            return;
    if (s.choices.empty()) return;
    out << "And which will the run show?\n";
    for (std::size_t k = 0; k < s.choices.size(); ++k)
        out << indented(wrap(std::to_string(k + 1) + ". " + printable(s.choices[k].says.claim),
                             terminal_columns(STDERR_FILENO) - 5),
                        "     ")
                   .replace(0, 5, "  ");
    asked("your choice (1 to " + std::to_string(s.choices.size()) + ")", in, out,
          [&](const std::string& line) {
              ReadChoice choice = read_choice(line, s.choices.size());
              s.picked = choice.index;
              return choice.error;
          });
}

void gather_room_guesses(Scenario& s, LiveHub& hub, std::istream& in, std::ostream& out,
                         std::size_t room_size) {
    GuessForm form = form_of(s);
    form.room_size = room_size;
    out << "guesses: " << hub.open_guesses(std::move(form))
        << "  (the room opens it and guesses; press Enter here to start the run)\n"
        << std::flush;
    RoomOnProjector projector(s, hub, out, room_size);
    std::string line;
    const bool entered = static_cast<bool>(std::getline(in, line));
    auto room = hub.close_guesses();
    projector.closed(room);
    if (!entered) out << "lab: notice: the input ended before Enter, so the form closed at once\n";
    out << "guesses: " << hub.guesses_so_far() << " sent; the run starts\n";
    for (std::size_t k = 0; k < s.configurations.size() && k < room.size(); ++k)
        s.configurations[k].room_guesses = room[k];
    s.room_picks = hub.room_choices();
}

}  // namespace lab
