#pragma once
// summary.json's keys, each listed once (lab/results/schema.hpp): the writer and the reader walk
// the same lists, so a key cannot be written and not read back, or read under another name.
// Each list takes a visitor and the object (const when writing): `v(key, member, bound)`.
#include <limits>

#include "lab/guess.hpp"
#include "lab/live/guess_box.hpp"  // most_room_guesses
#include "lab/run/run_result.hpp"

namespace lab::summary_keys {

// The range a number may take when it is read back; anything outside is a damaged file.
struct Bound {
    double low = -std::numeric_limits<double>::max(), high = std::numeric_limits<double>::max();
};
constexpr Bound natural{0, 1e12}, count_bound{1, 1e6}, ms_bound{0, 600'000}, pid_bound{-1, 1e12};

template <class V, class L>
void fields(V& v, L& l) {  // Load
    v("requests", l.requests, count_bound);
    v("concurrency", l.concurrency, Bound{1, 10'000});
    v("path", l.path);
    v("method", l.method);
    v("delay_ms", l.delay_ms, ms_bound);
    v("repeat", l.repeat, Bound{1, 100});
    v("warmup", l.warmup);
    v("report_memory", l.report_memory);
    v("rate", l.rate, Bound{0, 100'000});
    v("duration_ms", l.duration_ms, ms_bound);
    v("stall_ms", l.stall_ms, ms_bound);
    v("stall_at_ms", l.stall_at_ms, ms_bound);
    v("stagger_ms", l.stagger_ms, Bound{0, 1000});
    v("probe_path", l.probe_path);
    v("probe_every_ms", l.probe_every_ms, Bound{1, 10'000});
    v("probe_after_ms", l.probe_after_ms, Bound{0, 60'000});
    v("more_paths", l.flags.more_paths);
    v("weights", l.flags.weights, Bound{1, 100});
    v("target_methods", l.flags.target_methods);
    v("headers", l.flags.headers);
    v("body", l.flags.body);
    v("keep_alive", l.flags.keep_alive);
    v("client_threads", l.flags.client_threads, Bound{1, 64});
    v("run_for_ms", l.flags.run_for_ms, ms_bound);
    v("timeout_ms", l.timeout_ms, Bound{1, 600'000});
    v("max_head_bytes", l.answer_limits.head, Bound{1, most_answer_head});
    v("max_body_bytes", l.answer_limits.body, Bound{1, most_answer_body});
    v("ramp_max_in_flight", l.ramp_max_in_flight, Bound{0, 1000});
}

template <class V, class C>
void configuration_fields(V& v, C& c) {
    v("label", c.label);
    v("mode", c.mode);
    v("server", c.server);
    v("fastapi_variant", c.fastapi_variant);
    v("fastapi_server", c.fastapi_server);
    v("fastapi_loop", c.fastapi_loop);
    v("host", c.host);
    v("port", c.port, Bound{0, 65535});
    v("app", c.app);
    v("app_dir", c.app_dir);
    v("target_path", c.target_path);
    v("threads", c.threads, Bound{1, 10'000});
    v("workers", c.workers, Bound{1, 64});
    v("balance", c.balance);
    v("worker_mode", c.worker_mode);
    v("gil", c.gil);
    v("blocking_redis", c.blocking_redis);
    v("db_pool", c.db_pool, Bound{1, 100});
    v("db_pool_kept", c.db_pool_kept, Bound{0, 100});
    v("queue_workers", c.queue_workers, Bound{0, 64});
    v("hosts", c.hosts, Bound{0, 16});
    v("upstream", c.upstream);
    v("client", c.client);
    v("requests", c.requests, count_bound);  // null: the load's
    v("concurrency", c.concurrency, Bound{1, 10'000});  // null: the load's
    v("delay_ms", c.delay_ms, ms_bound);  // null: the load's
    v("sweep_value", c.sweep_value, Bound{0, 60'000});  // null: not a sweep's point
    v("sweep_home", c.sweep_home, Bound{0, 60'000});
    v("series", c.series);
    v("document_s", c.document_s, Bound{0, 1e6});
    v("document_text", c.document_text);
    v("number", c.number, Bound{0, 10'000});
    v("guess", c.guess, Bound{0, largest_guess});  // null: no guess
    v("room_guesses", c.room_guesses, Bound{0, largest_guess});
    v("if_guessed_low", c.if_guessed_low);
    v("if_guessed_high", c.if_guessed_high);
}

template <class V, class E>
void expectation_fields(V& v, E& e) {  // a claim of the text, as scenarios/README.md describes it
    v("row", e.row, Bound{1, 10'000});
    v("figure", e.figure);
    v("at_least", e.at_least, Bound{-1e12, 1e12});
    v("at_most", e.at_most, Bound{-1e12, 1e12});
    v("relative_to", e.relative_to);
    v("relative_row", e.relative_row, Bound{0, 10'000});
    v("claim", e.claim);
    v("meaning", e.meaning);
    v("at", e.at, Bound{0, 60'000});
    v("at_option", e.at_option);
    v("not_here", e.not_here);
}

// A [[choice]]: its sentence as a claim, a wrong one's misconception
template <class V, class C>
void choice_fields(V& v, C& c) {
    expectation_fields(v, c.says);
    v("misconception", c.misconception);
    v("why", c.why);
    v("lesson", c.lesson);
}

template <class V, class S>
void sweep_fields(V& v, S& sweep) {  // a sweep: the option and the values it was measured at
    v("option", sweep.option);
    v("values", sweep.values, Bound{0, 60'000});
}

template <class V, class M>
void model_fields(V& v, M& m) {
    v("at_once", m.at_once, natural);
    v("client_at_once", m.client_at_once, natural);
    v("shared_cores", m.shared_cores, natural);
    v("formula", m.formula);
}

template <class V, class C>
void cpu_fields(V& v, C& c) {  // a batch's CPU account (cpu_taken.hpp), in seconds; -1: not read
    v("wall_s", c.wall_s, Bound{0, 1e6});
    v("own_s", c.own_s, Bound{-1, 1e9});
    v("machine_s", c.machine_s, Bound{-1, 1e9});
    v("steal_s", c.steal_s, Bound{-1, 1e9});
}

template <class V, class B>
void batch_fields(V& v, B& b) {  // BatchRecord: all but its requests, probes and statistics
    v("number", b.number, Bound{0, 100});
    v("loop_blocked_ms", b.server.blocked_ms, Bound{-1, 1e9});
    v("max_computing_at_once", b.server.computing, Bound{-1, 1e6});
    v("held_per_request_ms", b.server.held_per_request_ms, Bound{-1, 1e9});
    v("held_where", b.server.held_where);
    v("held_fix", b.server.held_fix);
    v("harness_slip_us", b.open_loop.harness_slip_us, Bound{0, 1e12});
    v("unfinished", b.unfinished, Bound{0, 1e6});
    v("not_recorded", b.not_recorded, Bound{0, 1e12});
    v("foreign_message", b.foreign_message);  // absent in folders written before it existed
    v.object("cpu", b.cpu, [](auto& w, auto& c) { cpu_fields(w, c); });
    v("jobs_done", b.jobs_done, Bound{-1, 1e9});
}

template <class V, class R>
void result_fields(V& v, R& r) {  // a configuration's own keys besides its Configuration
    v.object("model", r.model, [](auto& w, auto& m) { model_fields(w, m); });
    v("model_s", r.model_s, Bound{0, 1e9});
    v("verdict", r.verdict);
    v("error", r.error);
    v("peak_rss_kib", r.peak_rss_kib, pid_bound);
    v("pss_kib", r.pss_kib, pid_bound);
    v("pss_before_kib", r.pss_before_kib, pid_bound);
    v("knee_cause", r.knee_cause);  // absent in folders written before it existed
}

template <class V, class S>
void ramp_step_fields(V& v, S& s) {  // a step of a lesson's ramp (lab/run/knee.hpp)
    v("in_flight", s.in_flight, Bound{1, 1000});
    v("answered", s.answered, Bound{0, 1e6});
    v("failed", s.failed, Bound{0, 1e6});
    v("p50_ms", s.p50_ms, Bound{-1, 1e9});
    v("mean_ms", s.mean_ms, Bound{-1, 1e9});
    v("throughput_rps", s.throughput_rps, Bound{-1, 1e9});
    // the server's own count of the step's requests that found every thread or connection busy
    v("waited_for_thread", s.counted.token_waits, Bound{0, 1e9});
    v("waited_for_connection", s.counted.pool_waits, Bound{0, 1e9});
    // a twin's own work in the step: its CPU in cores, the connections its pools opened, and the
    // longest its loop was held
    v("cpu_cores", s.counted.cpu_cores, Bound{-1, 1e4});
    v("connections_opened", s.counted.connections_opened, Bound{-1, 1e9});
    v("pool_kept", s.counted.pool_kept, Bound{-1, 1e9});
    v("loop_held_ms", s.counted.loop_held_ms, Bound{-1, 1e9});
}

// The top level's own keys (`load`: as stored, without credentials). key_figure, expect, sweep and
// configurations have checks of their own; physical_floor_s and load_summary are derived.
template <class V, class R, class L>
void run_fields(V& v, R& run, L& load) {  // RunResult
    v("scenario", run.scenario.name);
    v("kind", run.scenario.kind);  // absent in older folders: a lesson, unless read as `lab load`'s
    v("title", run.scenario.title);
    v("source", run.scenario.source);
    v("teaching", run.scenario.teaching);
    v("cores", run.cores, Bound{1, 1e6});
    v("run_s", run.run_s, Bound{0, 1e6});  // absent in folders written before it existed
    v.object("load", load, [](auto& lv, auto& l) { fields(lv, l); });
    v("model_tolerance", run.scenario.model_tolerance, Bound{0, 100});
    v("model_tolerance_why", run.scenario.model_tolerance_why);
    // (the choices themselves: a list of their own, as expect's)
    v("picked", run.scenario.picked, Bound{0, static_cast<double>(most_choices - 1)});
    v("room_picks", run.scenario.room_picks, Bound{0, static_cast<double>(most_room_guesses)});
}

}  // namespace lab::summary_keys
