#include "lab/run/estimate.hpp"

#include <algorithm>
#include "lab/run/lesson_ramp.hpp"
#include "lab/run/run_result.hpp"
#include "lab/scenario/overrides.hpp"

namespace lab {
namespace {

// Its batches' time by the models (and a ramp's, each step's request as long as d), and a third
// of a second a configuration for the rest.
Estimate by_the_models(const Scenario& s) {
    Estimate e;
    for (const Configuration& c : s.configurations) {
        Load own = load_of(s.load, c);
        int batches = own.repeat + (own.warmup ? 1 : 0);
        double each =
            own.rate > 0 || own.websocket() ? own.duration_ms / 1000.0 : planned(c, s.load).model_s;
        e.seconds += batches * each + 0.33;
        if (own.ramp_max_in_flight > 0)
            e.seconds += ramp_estimate_s(own.ramp_max_in_flight, own.delay_ms / 1000.0);
    }
    return e;
}

}  // namespace

Estimate estimate(const Scenario& s) {
    const Estimate models = by_the_models(s);
    if (s.took_here_s <= 0 || s.file.empty()) return models;
    try {
        // The run that was measured: the file's own settings, before this run's options.
        const Estimate as_measured = by_the_models(apply(load_scenario(s.file), {}));
        const double rest_s = std::max(0.0, s.took_here_s - as_measured.seconds);
        return {models.seconds + rest_s, true};
    } catch (const std::exception&) {  // the file is gone or changed since it was read
        return models;
    }
}

}  // namespace lab
