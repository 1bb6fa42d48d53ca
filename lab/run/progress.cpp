#include "lab/run/progress.hpp"

#include <cstdio>
#include <cstdlib>

#include <unistd.h>

#include <fmt/format.h>

#include "lab/layout.hpp"

namespace lab {

// A paragraph for the person watching, wrapped to the terminal stderr writes to.
static void say_wrapped(const std::string& text) {
    std::fputs(wrap(text, terminal_columns(STDERR_FILENO)).c_str(), stderr);
}

Progress::Style Progress::style_for_stderr(bool quiet) {
    if (quiet) return Style::quiet;
    return isatty(STDERR_FILENO) ? Style::live : Style::plain;
}

void Progress::expect(double seconds, bool measured, double most) {
    expected_s_ = seconds;
    // Two times only where they part: an exercise whose starter took longer here than its solution
    if (most > 1.3 * seconds) expected_most_s_ = most;
    if (style_ == Style::quiet) return;
    say_wrapped("lab: this run takes about " + fixed(seconds, 0) + " s" +
                (expected_most_s_ > 0
                     ? " if your app's requests wait together, about " +
                           fixed(expected_most_s_, 0) + " s if it serves them one at a time" +
                           " (as the solution and the starter took here"
                 : measured ? " (as it took here"
                            : " (by the models: it has not been timed here)") +
                (measured ? ", with this run's batches by the models)" : ""));
}

std::string Progress::spent() const {
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const std::string most = expected_most_s_ > 0 ? "–" + fixed(expected_most_s_, 0) : "";
    return fmt::format("{:.1f} s", elapsed) +
           (expected_s_ > 0 ? " of about " + fixed(expected_s_, 0) + most + " s" : "");
}

std::string Progress::which() const {
    if (ramp_ > 0) return fmt::format("ramp: {} in flight (up to {})", ramp_, ramp_most_);
    return batch_ == 0 ? "warm-up" : fmt::format("batch {}/{}", batch_, batches_);
}

void Progress::configuration(int index, int count, const std::string& label) {
    index_ = index;
    count_ = count;
    label_ = printable(label);  // (a scenario's or an app's name: shown, never obeyed)
    colour_ = style_ == Style::live && !std::getenv("NO_COLOR");
}

void Progress::batch(int number, int count, int requests) {
    ramp_ = 0;
    batch_ = number;
    batches_ = count;
    begin(requests);  // "0/10 answered" from the start, never "0/0"
}

void Progress::ramp_step(int in_flight, int most) {
    ramp_ = in_flight;
    ramp_most_ = most;
    begin(0);
}

void Progress::begin(int requests) {
    done_ = 0;
    total_ = requests;
    if (style_ == Style::plain)
        say_wrapped(fmt::format("[{}/{}] {}: {} ({})", index_, count_, label_, which(), spent()));
    draw(true);
}

void Progress::answered(int done, int total) {
    done_ = done;
    total_ = total;
    draw(done == total);
}

void Progress::draw(bool force) {
    if (style_ != Style::live) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - drawn_ < std::chrono::milliseconds(50)) return;  // a terminal is slow
    drawn_ = now;
    const char* bold = colour_ ? "\033[1m" : "";
    const char* plain = colour_ ? "\033[0m" : "";
    const std::string head = fmt::format("[{}/{}] ", index_, count_);
    const std::string tail =
        fmt::format(" · {} · {}/{} answered · {}", which(), done_, total_, spent());
    // One line that never wraps (a wrapped line cannot be redrawn in place): the label gives way.
    int room = terminal_columns(STDERR_FILENO) - 1 -
               static_cast<int>(display_width(head) + display_width(tail));
    std::string label = label_;
    if (static_cast<int>(display_width(label)) > room)
        label = first_characters(label, static_cast<std::size_t>(std::max(room - 1, 0))) + "…";
    fmt::print(stderr, "\r\033[K{}{}{}{}{}", head, bold, label, plain, tail);
    std::fflush(stderr);
}

void Progress::done() {
    if (style_ == Style::live) std::fprintf(stderr, "\r\033[K");
}

void Progress::note(const std::string& line) {
    if (style_ == Style::live) std::fputs("\r\033[K", stderr);  // (the live line, cleared)
    lab::note(nullptr, line);
    draw(true);
}

void note(Progress* progress, const std::string& line) {
    if (progress) progress->note(line);
    else say_wrapped("lab: " + line);  // (wrap filters it for the terminal, as printable does)
}

}  // namespace lab
