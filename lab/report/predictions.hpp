#pragma once
// Predict, then observe (`lab run --predict`): before the run the class guessed the lesson's key
// figure for each configuration; after it, each guess stands beside the measured value (and the
// model, for a makespan), with how far it was and the idea the gap points to, in the lesson's
// own words (its file's if_guessed_low and if_guessed_high). The terminal, report.html and the
// live page all show these, judged here once.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lab/layout.hpp"
#include "lab/report/claims.hpp"
#include "lab/run/run_result.hpp"

namespace lab {

// What the room's guesses were, of one configuration (--predict-page).
struct RoomSpread {
    std::size_t count = 0, close = 0;  // how many, and how many were close
    double low = 0, median = 0, high = 0;
    std::string idea = {};  // the idea the room's median missed, when it was not close (idea_of)
};
// The spread of a configuration's room guesses; `measured`, if known, decides which were close.
RoomSpread room_spread(std::vector<double> guesses, std::optional<double> measured,
                       const std::string& unit);

struct JudgedGuess {
    std::string label;
    std::optional<double> guess, measured, model;  // model: where the guess is of the makespan
    bool close = false;
    std::string how_far;  // "10.0× the guess, 0.904 s more", "close"; empty without a guess or a
                          // measurement
    std::string idea;  // what the gap points to; empty when the guess was close
    RoomSpread room;
};

// Whether anyone guessed anything in this run (the class or the room).
bool has_guesses(const RunResult& run);
// The guessed figure in words, with the lesson's own N: "how long all 10 requests took (median
// of the batches)"; what the terminal, the room's form and the pages ask and say.
std::string guessed_what(const Scenario& s);
std::vector<JudgedGuess> judged_guesses(const RunResult& run);

// "1.004 s": a value of the guessed figure, as the catalogue shows it.
std::string guess_value_text(const RunResult& run, double value);
// "the room: 12 guesses from 0.100 to 1.200 s, median 0.500 s; 3 close"
std::string room_text(const RunResult& run, const RoomSpread& room);

// A choice of the lesson's (`[[choice]]`) beside the run: its sentence checked against what was
// measured, as a claim is (`claim`), who picked it, and, for a misconception someone picked, what
// it was and the lesson that answers it; each line true of this run.
struct JudgedChoice : CheckedClaim {
    // "your choice; 3 of the room's 12 picks" (0 of them too); empty with no room or class's choice
    std::string who = {};
    // "→ the misconception “…”: why. `lab run LESSON` answers it."; empty for the right choice
    // and for one nobody picked
    std::string misconception = {};
};
// Whether the class or the room picked a choice.
bool has_picks(const Scenario& s);
std::vector<JudgedChoice> judged_choices(const RunResult& run);

// The table's column of guesses, beside the measured one.
Column guess_column(const RunResult& run);
// The section after the table: each guess judged, then each choice, in lines of `width` characters.
std::string guesses_text(const RunResult& run, int width);

}  // namespace lab
