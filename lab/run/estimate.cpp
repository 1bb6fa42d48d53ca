#include "lab/run/estimate.hpp"

#include <algorithm>
#include "lab/run/lesson_ramp.hpp"
#include "lab/run/run_result.hpp"
#include "lab/scenario/overrides.hpp"

namespace lab {
namespace {

// Its batches' time by the models (and a ramp's, each step's request as long as d), and a third
// of a second a configuration for the rest. A student's app has no model: with `one_at_a_time`,
// it answers each batch's requests one after another, as an exercise's starter does.
double by_the_models(const Scenario& s, bool one_at_a_time = false) {
    double seconds = 0;
    for (const Configuration& c : s.configurations) {
        Load own = load_of(s.load, c);
        int batches = own.repeat + (own.warmup ? 1 : 0);
        const bool timed = own.rate > 0 || own.websocket();
        double each = timed ? own.duration_ms / 1000.0 : planned(c, s.load).model_s;
        if (one_at_a_time && !timed && c.server == Server::app)
            each = own.requests * own.delay_ms / 1000.0;
        seconds += batches * each + 0.33;
        if (own.ramp_max_in_flight > 0)
            seconds += ramp_estimate_s(own.ramp_max_in_flight, ramp_rounds * own.delay_ms / 1000.0);
    }
    return seconds;
}

}  // namespace

Estimate estimate(const Scenario& s) {
    Estimate e{by_the_models(s)};
    if (s.took_here_s <= 0 || s.file.empty()) return e;
    try {
        // The run that was measured: the file's own settings, before this run's options.
        const Scenario as_measured = apply(load_scenario(s.file), {});
        e.seconds += std::max(0.0, s.took_here_s - by_the_models(as_measured));
        e.measured = true;
        if (s.starter_took_here_s > 0)
            e.one_after_another_s =
                by_the_models(s, true) +
                std::max(0.0, s.starter_took_here_s - by_the_models(as_measured, true));
    } catch (const std::exception&) {  // the file is gone or changed since it was read
    }
    return e;
}

}  // namespace lab
