#pragma once
// Live progress of `lab run` on stderr. On a terminal, one line redrawn in place (coloured unless
// NO_COLOR is set); otherwise one plain line per batch, so logs stay readable; --quiet: nothing.
#include <chrono>
#include <string>

namespace lab {

class Progress {
public:
    enum class Style { quiet, plain, live };
    static Style style_for_stderr(bool quiet);  // live on a terminal, plain otherwise

    explicit Progress(Style style) : style_(style) {}
    // How long the whole run is expected to take (estimate.hpp: `measured` here, and an exercise's
    // `most` with its requests one after another): said first, then shown beside the time spent
    // ("3.2 s of about 7 s"), so a class knows how long to wait.
    void expect(double seconds, bool measured, double most);
    void configuration(int index, int count, const std::string& label);
    void batch(int number, int count, int requests);  // 0 is the warm-up; `requests` in it
    void ramp_step(int in_flight, int most);  // a ramp's step: `in_flight` at once, up to `most`
    void answered(int done, int total);
    void done();  // ends the live line
    // A line for the person watching, not progress (a service started, what an app left
    // running): on its own line, the live line cleared first and drawn again after it.
    void note(const std::string& line);

private:
    void begin(int requests);  // a batch's or a ramp step's
    void draw(bool force);
    Style style_;
    bool colour_ = false;
    std::string label_;
    std::string spent() const;  // "3.2 s of about 7 s"
    std::string which() const;  // "warm-up", "batch 2/5", "ramp: 8 in flight (up to 64)"
    int index_ = 0, count_ = 0, batch_ = 0, batches_ = 0, done_ = 0, total_ = 0, ramp_ = 0;
    int ramp_most_ = 0;
    double expected_s_ = 0, expected_most_s_ = 0;  // (the most: an exercise's starter's)
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now(), drawn_{};
};

// A run's note through its Progress, or wrapped to the terminal when it has none: lab/run writes
// stderr only through these.
void note(Progress* progress, const std::string& line);

}  // namespace lab
