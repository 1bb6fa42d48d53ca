#include "lab/run/lesson_ramp.hpp"

#include <cmath>

#include <fmt/format.h>

#include "lab/layout.hpp"
#include "lab/modes/modes.hpp"
#include "lab/run/server_account.hpp"

namespace lab {
namespace {

// A limit a row's requests wait for: its size, and its name as the knee's cause.
struct Limit {
    int size = 0;  // 0: none known
    std::string named;
};

// Every /db request needs one of the pool's connections; a thread-pool mode's `def` route, one of
// its threads (a twin's: AnyIO's tokens). A C++ mode's, as the lab started it; none known of a
// student's app, a server the lab did not start, or several processes or hosts (each its own).
Limit limit_of(const Configuration& c, const Load& load, const nlohmann::json& twin_limits) {
    const bool twin = c.server == Server::fastapi;
    const ModeInfo* mode = find_mode(c.mode);
    if (!c.lab_written() || c.behind_nginx() || !mode || mode->takes_workers) return {};
    if (load.work_path() == "/db") {
        if (twin) {  // its pool, as it counted it: SQLAlchemy's kept and overflow, or asyncpg's
            const int size = twin_limits.value("pool_capacity", -1);
            return size > 0 ? Limit{size, pool_named(size, twin_limits.value("pool_kept", -1))}
                            : Limit{};
        }
        if (c.db_pool_kept > 0 && c.db_pool_kept < c.db_pool)
            return {c.db_pool,
                    fmt::format("the pool's {} connections ({} kept, {} opened for a burst)",
                                c.db_pool, c.db_pool_kept, c.db_pool - c.db_pool_kept)};
        return {c.db_pool, pool_named(c.db_pool, -1)};
    }
    if (c.mode != "thread-pool") return {};
    if (!twin) return {c.threads, "the pool's " + count_of(c.threads, "thread")};
    const int tokens = twin_limits.value("tokens_total", -1);
    return tokens > 0 ? Limit{tokens, tokens_named(tokens)} : Limit{};
}

}  // namespace

std::vector<RampStep> ramp_configuration(LoadSpec spec, int max_in_flight,
                                         const std::string& account, Progress* progress) {
    spec.probe_target.clear();  // (no bystander, no live view: the ramp's own)
    spec.observer = nullptr;
    spec.on_answer = nullptr;
    if (progress) spec.on_answer = [progress](int done, int all) { progress->answered(done, all); };
    spec.run_for = std::chrono::milliseconds(0);
    const auto counted = [&](const Batch&) {  // (its GET `account`, reset for the next step)
        const nlohmann::json server =
            account.empty() ? nlohmann::json::object() : stats_of(spec, account + "?reset=1");
        LimiterCounts c{.pool_waits = server.value("waited_for_connection", 0),
                        .token_waits = server.value("waited_for_thread", 0),
                        // (a twin's: its process's own work, as the doctor's probe counts it)
                        .cpu_cores = server.value("cpu_cores", -1.0),
                        .connections_opened = server.value("connections_opened", -1),
                        .loop_held_ms = server.value("max_loop_blocked_ms", -1.0)};
        if (auto limits = server.find("limits"); limits != server.end() && limits->is_object())
            c.pool_kept = limits->value("pool_kept", -1);
        return c;
    };
    counted({});  // (from here: not the batches' own)
    return ramp_up(max_in_flight, [&](int k) {
        if (progress) progress->ramp_step(k, max_in_flight);
        return ramp_step(spec, k, ramp_rounds, counted);
    });
}

std::string knee_cause(const Configuration& c, const Load& load, const std::vector<RampStep>& steps,
                       const nlohmann::json& twin_limits) {
    const std::optional<int> knee = knee_in_flight(steps);
    if (!knee) return "";
    const Limit limit = limit_of(c, load, twin_limits);
    const RampStep& bent = steps[first_bent(steps)];
    // A limit the bent step did not pass bent it only if nothing its server counted says why
    const std::string counted = counted_cause(steps);
    if (limit.size > 0 && std::abs(*knee - limit.size) <= 0.15 * limit.size &&
        (bent.in_flight > limit.size || counted.empty()))
        return limit.named;
    if (!counted.empty()) return counted;
    if (limit.size == 0) return "unexplained: no limit of this row is known";
    std::string said = fmt::format("unexplained: {} would bend it at {}", limit.named, limit.size);
    if (bent.counted.cpu_cores >= 0)  // (with what was counted: a core not full, for one)
        said += fmt::format(" (at {} in flight {})", bent.in_flight, cpu_ran(bent.counted));
    return said;
}

std::string knee_said(const std::vector<RampStep>& steps, const std::string& cause) {
    if (steps.empty()) return "";
    if (auto knee = knee_in_flight(steps))
        return fmt::format("knee at {} in flight: {}", *knee, cause);
    return first_bent(steps) == 0
               ? "failed at 1 in flight"
               : fmt::format("no knee up to {} in flight", steps.back().in_flight);
}

}  // namespace lab
