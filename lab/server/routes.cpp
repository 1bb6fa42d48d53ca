#include "lab/server/routes.hpp"

#include <charconv>
#include <optional>
#include <utility>

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "lab/compute/cpu_ledger.hpp"
#include "lab/compute/gil.hpp"
#include "lab/server/server_stats.hpp"
#include "lab/shared_across_fork.hpp"

namespace lab {
namespace {

// The query string's value for `key` (no percent-decoding: the lab's parameters are numbers).
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == key)
            return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

Route error(int status, std::string_view reason, std::string allow = {}) {
    return {.kind = Route::Kind::error,
            .status = status,
            .error_body = error_body(status, reason),
            .allow = std::move(allow)};
}

Route timed_route(Route::Kind kind, std::string_view query, const std::string& key = "ms") {
    // A cache call is a plain GET unless asked
    long ms = kind == Route::Kind::cache ? 0 : default_delay_ms;
    if (auto text = query_value(query, key)) {
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
        if (ec != std::errc{} || end != text->data() + text->size())
            return error(400, key + " must be a whole number of milliseconds, got '" +
                                  std::string(*text) + "'");
        if (ms < 0 || ms > max_delay_ms)
            return error(400, key + " must be between 0 and " + std::to_string(max_delay_ms) +
                                  ", got " + std::to_string(ms));
    }
    return {.kind = kind, .amount = std::chrono::milliseconds(ms)};
}

// /users/{id} (a row of PostgreSQL's users table, by its primary key) and /jobs/{id} (a job of the
// queue): the {id} is a whole number from 1 to `most`, else a 400 that says so.
Route id_route(Route::Kind kind, std::string_view id_text, long most, const char* what) {
    long id = 0;
    auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc{} || end != id_text.data() + id_text.size() || id < 1 || id > most)
        return error(400, std::string("a ") + what + " id is a whole number between 1 and " +
                              std::to_string(most) + ", got '" + std::string(id_text) + "'");
    Route r{.kind = kind};
    (kind == Route::Kind::user ? r.user_id : r.job_id) = id;
    return r;
}

// POST /jobs?cpu_ms=N or ?wait_ms=N: a job for the queue's workers, computing or waiting N ms.
Route job_submit_route(std::string_view query) {
    auto cpu = query_value(query, "cpu_ms"), wait = query_value(query, "wait_ms");
    if (cpu.has_value() == wait.has_value())
        return error(400,
                     "POST /jobs takes one of cpu_ms=N (compute N ms) or wait_ms=N (wait N ms)");
    // ?ms='s bounds
    Route r = timed_route(Route::Kind::job_submit, query, cpu ? "cpu_ms" : "wait_ms");
    r.computes = cpu.has_value();
    return r;
}

// What the work's answer says it did ("Response after 100 ms delay").
std::string message_of(const Route& r) {
    const std::string ms = std::to_string(r.amount.count() / 1000);
    switch (r.kind) {
        case Route::Kind::cpu: return "Computed for " + ms + " ms of CPU";
        case Route::Kind::db: return "PostgreSQL slept " + ms + " ms";
        case Route::Kind::user: return "PostgreSQL looked up user " + std::to_string(r.user_id);
        case Route::Kind::fetch: return "Downstream answered after " + ms + " ms";
        case Route::Kind::cache:
            return r.amount.count() ? "Redis answered after waiting " + ms + " ms"
                                    : "Redis answered a GET";
        default: return "Response after " + ms + " ms delay";
    }
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;  // Linux reports kibibytes
}

}  // namespace

Route route(std::string_view method, std::string_view target) {
    auto question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    // Each asks for one kind of waiting (or computing), of `ms` milliseconds.
    static constexpr std::pair<std::string_view, Route::Kind> timed[] = {
        {"/delay", Route::Kind::delay},
        {"/cpu", Route::Kind::cpu},
        {"/db", Route::Kind::db},
        {"/fetch", Route::Kind::fetch},
        {"/cache", Route::Kind::cache}};
    for (auto [timed_path, kind] : timed)
        if (path == timed_path) {
            if (method != "GET" && method != "POST")
                return error(405, std::string(path) + " takes GET or POST", "GET, POST");
            return timed_route(kind, query);
        }
    // FastAPI's BackgroundTasks: the answer goes first, and the same work runs after it, in the
    // same process. A task is an action (like sending an email), so it is started by POST only.
    if (constexpr std::string_view later = "/background"; path.substr(0, later.size()) == later) {
        for (auto [timed_path, kind] : timed)
            if ((kind == Route::Kind::delay || kind == Route::Kind::cpu) &&
                path.substr(later.size()) == timed_path) {
                if (method != "POST")
                    return error(405, std::string(path) + " takes POST: it starts a task", "POST");
                Route r = timed_route(kind, query);
                r.background = r.kind != Route::Kind::error;
                return r;
            }
        return error(404, "no such path: " + std::string(path) +
                              " (background tasks: /background/delay, /background/cpu)");
    }
    // A queue of jobs on Redis, taken by `lab worker` processes: enqueue, then ask how it went.
    if (path == "/jobs") {
        if (method != "POST") return error(405, "/jobs takes POST: it enqueues a job", "POST");
        return job_submit_route(query);
    }
    if (constexpr std::string_view jobs = "/jobs/"; path.substr(0, jobs.size()) == jobs) {
        if (method != "GET") return error(405, "/jobs/{id} takes GET", "GET");
        return id_route(Route::Kind::job_status, path.substr(jobs.size()), max_job_id, "job");
    }
    if (constexpr std::string_view users = "/users/"; path.substr(0, users.size()) == users) {
        if (method != "GET") return error(405, "/users/{id} takes GET", "GET");
        return id_route(Route::Kind::user, path.substr(users.size()), max_user_id, "user");
    }
    if (path == "/" || path == "/health" || path == "/stats") {
        if (method != "GET") return error(405, std::string(path) + " takes GET", "GET");
        return {.kind = path == "/"         ? Route::Kind::root
                        : path == "/health" ? Route::Kind::health
                                            : Route::Kind::stats,
                .reset = query_value(query, "reset") == "1"};
    }
    return error(404, "no such path: " + std::string(path));
}

std::string root_body() {
    return nlohmann::json{{"message", "Hello from the concurrency lab"}, {"worker_id", getpid()}}
        .dump();
}

std::string health_body() { return R"({"status":"ok"})"; }

std::string accepted_body(const Route& r, long id) {
    return nlohmann::json{{"accepted", r.kind == Route::Kind::cpu ? "compute" : "wait"},
                          {"ms", r.amount.count() / 1000},
                          {"task", id},
                          {"worker_id", getpid()}}
        .dump();
}

std::string served_body(const Route& r, const ServiceRecord& served) {
    if (r.kind == Route::Kind::user && !served.db.found)
        return error_body(404, "no user " + std::to_string(r.user_id));
    // What every piece of work reports: when and where it ran (the documents' start_time, end_time
    // and worker_id, plus the thread and the monotonic stamps the harness puts on its timeline).
    // (Set key by key: a braced list would be copied element by element into the object, which cost
    // a /delay answer a quarter of the server's own time, and c10k writes 10,000 of them at once.)
    nlohmann::json body;
    body["message"] = message_of(r);
    body["start_time"] = served.start_time;
    body["end_time"] = served.end_time;
    body["worker_id"] = served.worker_id;
    body["thread_id"] = served.thread_id;
    body["server_start_us"] = served.start_us;
    body["server_end_us"] = served.end_us;
    if (r.kind == Route::Kind::cpu) {
        body["cpu_ms_requested"] = r.amount.count() / 1000.0;
        body["cpu_ms_used"] = served.cpu_us / 1000.0;
    }
    if (r.kind == Route::Kind::user) {
        body["id"] = r.user_id;
        body["name"] = served.db.user_name;
    }
    if (r.kind == Route::Kind::db || r.kind == Route::Kind::user) {
        body["db_start_us"] = served.db.start_us;  // PostgreSQL's own clock, as monotonic µs
        body["db_end_us"] = served.db.end_us;
        body["db_backend_pid"] = served.db.backend_pid;
    }
    // (A user's name is PostgreSQL's text: what is not UTF-8 is replaced.)
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string stats_body(bool reset) {
    ServerStats& s = server_stats();
    LoopFigures& loop = loop_figures();  // (every worker's, in multi-process)
    // A timer that is overdue right now is lag too: the loop may not have run it yet.
    raise_to(loop.max_lag_us, monotonic_us() - s.lag_probe_due_us);
    nlohmann::json body{
        {"worker_id", getpid()},
        {"requests_received", s.requests_received.load()},
        {"requests_served", s.requests_served.load()},
        {"in_service", s.in_service.load()},
        {"max_loop_lag_ms", loop.max_lag_us.load() / 1000.0},
        {"max_loop_blocked_ms", loop.max_blocked_us.load() / 1000.0},
        {"pool_threads", s.pool_threads.load()},
        {"pool_busy_threads", s.pool_busy.load()},
        {"waited_for_thread", read_or_reset(s.waited_for_thread, reset)},
        {"waited_for_connection", read_or_reset(s.waited_for_connection, reset)},
        {"background_running", s.background_running.load()},  // answered, still working
        {"background_done", s.background_done.load()},
        {"gil", process_gil().enabled()},
        {"max_computing_at_once", cpu_ledger().most_at_once()},  // on cores, across workers
        {"peak_rss_kib", peak_rss_kib()},
    };
    if (reset) {
        loop.max_lag_us = 0;
        loop.max_blocked_us = 0;
        ++loop.resets;
        cpu_ledger().reset();
    }
    return body.dump();
}

std::string error_body(int status, std::string_view reason) {
    // The reason may quote the client's own bytes, which need not be UTF-8: replace what is not.
    return nlohmann::json{{"error", reason}, {"status", status}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace lab
