#include "lab/report/predictions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lab/scenario/figure_catalogue.hpp"

namespace lab {
namespace {

// A guess is close when it is within a quarter of the measured value, or within what the unit
// cannot tell apart on a projector (20 ms of a makespan, 5 ms of a latency, 2 MiB, 1 request).
// A share (%) is close within 10 points, whatever its size: a quarter of 100 % would take 75 %.
bool is_close(double guess, double measured, const std::string& unit) {
    const double cannot_tell = unit == "s"     ? 0.02
                               : unit == "ms"  ? 5
                               : unit == "MiB" ? 2
                               : unit == "%"   ? 10
                                               : 1;
    const double slack = unit == "%" ? cannot_tell : std::max(0.25 * measured, cannot_tell);
    return std::abs(guess - measured) <= slack;
}

// The figure the class guessed in this run (never null where a guess was judged: --predict
// refuses a lesson without one).
const FigureInfo& guessed_info(const RunResult& run) {
    static constexpr FigureInfo none{Figure::measured, "", "", 3, ""};
    const std::optional<Figure> figure = guessed_figure(run.scenario.key_figure);
    return figure ? info(*figure) : none;
}

// "10.0× the guess, 0.904 s more" when the run was above the guess; "the guess was 4.9× the
// run, 0.079 s over" when below.
std::string distance(const RunResult& run, double guess, double measured) {
    const double gap = std::abs(
        measured - guess);  // (a share's gap is in points: "65 % more" would read as relative)
    const std::string diff =
        guessed_info(run).unit == "%" ? fixed(gap, 0) + " points" : guess_value_text(run, gap);
    if (measured >= guess)
        return (guess > 0 ? fixed(measured / guess, 1) + "× the guess, " : "") + diff + " more";
    return (measured > 0 ? "the guess was " + fixed(guess / measured, 1) + "× the run, "
                         : "the guess was ") +
           diff + " over";
}

// The idea the gap points to: the lesson's words for a guess below (above) the measured value,
// else what the model says, which is where a guess of the makespan can be worked out from.
std::string idea_of(const RunResult& run, const ConfigurationResult& r, bool guessed_low) {
    const Configuration& c = r.configuration;
    const std::string& said = guessed_low ? c.if_guessed_low : c.if_guessed_high;
    if (!said.empty()) return said;
    if (!c.lab_written())
        return "Your server's own row: its timeline beside the lesson's rows shows where its time "
               "went.";
    if (guessed_figure(run.scenario.key_figure) == Figure::measured && !r.model.formula.empty())
        return "The model: " + r.model.formula + " = " + fixed(r.model_s) +
               " s; the lesson's text says why.";
    return "The lesson's text says why.";
}

// The choices beside the run, for the terminal (after the guesses, if any).
std::string choices_text(const RunResult& run, int width) {
    std::string out =
        wrap("The choices beside the run (each checked against what it measured):", width);
    for (const JudgedChoice& j : judged_choices(run)) {
        std::string line = std::string(outcome_mark(j.outcome)) + " " + j.claim;
        if (!j.who.empty()) line += " (" + j.who + ")";
        out += indented(wrap(line, width - 2), "  ").substr(2);
        out += indented(wrap(j.evidence, width - 4), "    ");
        if (!j.misconception.empty()) out += indented(wrap(j.misconception, width - 4), "    ");
    }
    return out;
}

}  // namespace

RoomSpread room_spread(std::vector<double> guesses, std::optional<double> measured,
                       const std::string& unit) {
    const Spread spread = spread_of(guesses);  // (all zero for none)
    RoomSpread room{
        .count = guesses.size(), .low = spread.min, .median = spread.median, .high = spread.max};
    if (measured)
        room.close = static_cast<std::size_t>(
            std::ranges::count_if(guesses, [&](double g) { return is_close(g, *measured, unit); }));
    return room;
}

bool has_guesses(const RunResult& run) {
    return std::any_of(run.configurations.begin(), run.configurations.end(),
                       [](const auto& r) { return r.configuration.guessed(); });
}

std::string guessed_what(const Scenario& s) {
    const std::optional<Figure> figure = guessed_figure(s.key_figure);
    if (!figure) return "";
    std::string what(info(*figure).what);
    if (auto n = what.find("all N requests"); n != std::string::npos)
        what.replace(n, 14,
                     s.load.requests == 1 ? std::string("the request")
                                          : "all " + std::to_string(s.load.requests) + " requests");
    return what;
}

std::string guess_value_text(const RunResult& run, double value) {
    return figure_text(guessed_info(run).figure, value);
}

std::vector<JudgedGuess> judged_guesses(const RunResult& run) {
    const std::optional<Figure> figure = guessed_figure(run.scenario.key_figure);
    const std::string unit(guessed_info(run).unit);
    std::vector<JudgedGuess> judged;
    for (const auto& r : run.configurations) {
        const Configuration& c = r.configuration;
        JudgedGuess j{c.label, c.guess, std::nullopt, std::nullopt, false, "", "", {}};
        if (figure) j.measured = r.figure(*figure);
        if (figure == Figure::measured && !r.model.formula.empty()) j.model = r.model_s;
        if (j.guess && j.measured) {
            j.close = is_close(*j.guess, *j.measured, unit);
            j.how_far = j.close ? "close" : distance(run, *j.guess, *j.measured);
            if (!j.close) j.idea = idea_of(run, r, *j.measured > *j.guess);
        }
        j.room = room_spread(c.room_guesses, j.measured, unit);
        if (j.room.count > 0 && j.measured && !is_close(j.room.median, *j.measured, unit))
            j.room.idea = idea_of(run, r, *j.measured > j.room.median);
        judged.push_back(std::move(j));
    }
    return judged;
}

std::string room_text(const RunResult& run, const RoomSpread& room) {
    if (room.count == 0) return "";
    std::string text =
        "the room: " + std::to_string(room.count) + (room.count == 1 ? " guess" : " guesses");
    if (room.count > 1)
        text += " from " + guess_value_text(run, room.low) + " to " +
                guess_value_text(run, room.high) + ", median " + guess_value_text(run, room.median);
    else text += ", " + guess_value_text(run, room.median);
    return text + "; " + std::to_string(room.close) + " close";
}

Column guess_column(const RunResult& run) {
    Column column{.header = "your guess", .narrow_header = "guess", .wraps = true};
    for (const JudgedGuess& j : judged_guesses(run)) {
        std::string cell =
            j.guess ? guess_value_text(run, *j.guess) + (j.measured ? j.close ? " ✓" : " ✗" : "")
                    : "—";
        if (j.room.count > 0) cell += " (room: " + guess_value_text(run, j.room.median) + ")";
        column.cells.push_back(cell);
    }
    return column;
}

bool has_picks(const Scenario& s) {
    return s.picked || std::ranges::any_of(s.room_picks, [](std::size_t n) { return n > 0; });
}

std::vector<JudgedChoice> judged_choices(const RunResult& run) {
    using O = CheckedClaim::Outcome;
    const Scenario& s = run.scenario;
    const std::size_t room = std::reduce(s.room_picks.begin(), s.room_picks.end(), std::size_t{0});
    std::vector<JudgedChoice> judged;
    for (std::size_t k = 0; k < s.choices.size(); ++k) {
        const Choice& c = s.choices[k];
        JudgedChoice j{check_claim(run, c.says)
                           .value_or(CheckedClaim{
                               .claim = c.says.claim,
                               .evidence = "not checked: its row was left out of this run"})};
        const std::size_t by_room = k < s.room_picks.size() ? s.room_picks[k] : 0;
        if (s.picked == k) j.who = "your choice";
        if (room > 0)  // (each choice's count, none too)
            j.who += (j.who.empty() ? "" : "; ") + std::to_string(by_room) + " of the room's " +
                     count_of(static_cast<long long>(room), "pick");
        if ((s.picked == k || by_room > 0) && !c.misconception.empty())
            j.misconception =
                (j.outcome == O::contradicted
                     ? "→ the misconception “" + c.misconception + "”: " + c.why
                     : "→ it comes from the misconception “" + c.misconception +
                           "”, which this run " +
                           (j.outcome == O::holds ? "did not show wrong." : "could not check.")) +
                " `lab run " + c.lesson + "` answers it.";
        judged.push_back(std::move(j));
    }
    return judged;
}

std::string guesses_text(const RunResult& run, int width) {
    const std::string choices = has_picks(run.scenario) ? choices_text(run, width) : "";
    if (!has_guesses(run)) return choices;
    std::string out =
        wrap("Your guesses beside the run (" + guessed_what(run.scenario) + "):", width);
    auto under = [&](const std::string& text) { out += indented(wrap(text, width - 4), "    "); };
    for (const JudgedGuess& j : judged_guesses(run)) {
        std::string line =
            std::string(j.guess && j.measured ? (j.close ? "✓ " : "✗ ") : "· ") + j.label + ": ";
        line += j.guess ? "guessed " + guess_value_text(run, *j.guess) : "no guess";
        line += j.measured ? ", measured " + guess_value_text(run, *j.measured) : ", not measured";
        if (j.model) line += " (model " + guess_value_text(run, *j.model) + ")";
        if (!j.how_far.empty()) line += ": " + j.how_far;
        out += indented(wrap(line + ".", width - 2), "  ").substr(2);  // the mark, then its margin
        if (!j.idea.empty()) under("→ " + j.idea);
        if (j.room.count > 0) under(room_text(run, j.room) + ".");
        if (!j.room.idea.empty()) under("→ the room's median: " + j.room.idea);
    }
    return out + (choices.empty() ? "" : "\n" + choices);
}

}  // namespace lab
