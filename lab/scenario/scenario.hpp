#pragma once
// A scenario is one lesson in a TOML file: what to teach, which document it reproduces, the
// load to send, and the configurations to compare. Bad files are refused with file, key, reason.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/load_generator.hpp"  // AnswerLimits
#include "lab/named.hpp"
#include "lab/scenario/figure_catalogue.hpp"
#include "lab/server/serve_options.hpp"  // Balance
#include "lab/services/nginx_balancer.hpp"  // Upstream

namespace lab {

// What only `lab load` sends (hey's and wrk's flags): a scenario's servers need none of these.
struct LoadFlags {
    std::vector<std::string> more_paths;  // other targets mixed in after `path`
    std::vector<int> weights;  // one per target (path, then more_paths); empty: equal
    std::vector<std::string> target_methods;  // one per target when they differ; empty: `method`
    std::vector<std::string> headers;  // "Name: value", sent with every request
    std::string body;  // sent with every request
    bool keep_alive = true;  // false: a new connection per request
    int client_threads = 1;  // the harness's threads
    int run_for_ms = 0;  // > 0: a closed loop for this long, however many requests
};

struct Load {
    // path: /delay waits delay_ms; /cpu computes delay_ms of CPU; /db has PostgreSQL sleep delay_ms
    int requests = 10, concurrency = 10;
    std::string path = "/delay", method = "GET";
    int delay_ms = 100;
    int repeat = 5;  // measured batches, after one warm-up
    bool warmup = true;  // false for loads too long to send twice (c10k)
    bool report_memory = false;  // a column with each server's peak resident memory
    double rate = 0;  // > 0: open loop, `rate` requests per second for duration_ms
    int duration_ms = 5000;
    int stall_ms = 0, stall_at_ms = 1000;  // open loop: one request of this delay, at stall_at_ms
    int stagger_ms = 0;  // connection c sends its first request at c·stagger
    std::string probe_path;  // e.g. "/health": a bystander sent every probe_every_ms meanwhile
    int probe_every_ms = 25;
    int probe_after_ms = 0;  // and for this long after the last answer (background tasks run on)
    LoadFlags flags;  // `lab load`'s own (empty in a scenario)
    int timeout_ms = 30'000;  // per request
    // > 0: after its batches, each row ramped closed-loop up to this many in flight, its knee
    // and the knee's cause said (lab/run/lesson_ramp.hpp)
    int ramp_max_in_flight = 0;
    AnswerLimits answer_limits;  // the largest answer read (--max-head, --max-body)

    // POST /background/delay|cpu: each request is answered 202 first, and its work runs after.
    bool background() const { return path.starts_with("/background/"); }
    // GET /ws: N (`requests`) WebSockets held open for duration_ms, one asking its handler to wait
    // delay_ms at stall_at_ms (harness/websocket_load.hpp); each tick a client reads is a record.
    bool websocket() const { return path == "/ws"; }
    // The work each request asks for: the path itself, or what its background task does.
    std::string work_path() const {
        return background() ? path.substr(std::string_view("/background").size()) : path;
    }
};

// Who serves a configuration.
enum class Server {
    lab,  // `lab serve` in the configuration's mode
    fastapi,  // a twin: real FastAPI under uvicorn or gunicorn (lab/reference/serve.py)
    app,  // a student's own ASGI app under uvicorn, wrapped by lab/reference/app_probe.py
    external,  // a server already running at host:port, which the lab only sends load
};
template <>
struct Names<Server> {
    static constexpr std::pair<Server, std::string_view> list[] = {{Server::lab, "lab"},
                                                                   {Server::fastapi, "fastapi"},
                                                                   {Server::app, "app"},
                                                                   {Server::external, "external"}};
};

// How the harness sends: all at once over C connections, or one request after another.
enum class Client { concurrent, sequential };
template <>
struct Names<Client> {
    static constexpr std::pair<Client, std::string_view> list[] = {
        {Client::concurrent, "concurrent"}, {Client::sequential, "sequential"}};
};

// A FastAPI twin (Server::fastapi): which route of the reference apps it runs (lab/reference/
// apps.py; `matching`: the one its row's mode stands for), under which server, on which loop.
// Folders written before these had names kept the defaults as "", which still reads as them.
enum class TwinRoute {
    matching,
    blocking,
    awaiting,
    threaded,
    run_in_threadpool,
    flask,
    awaiting_blocking_cache,
    sqlalchemy_blocking,
    sqlalchemy_awaiting,
    sqlalchemy_threaded
};
template <>
struct Names<TwinRoute> {
    static constexpr std::pair<TwinRoute, std::string_view> list[] = {
        {TwinRoute::matching, ""},
        {TwinRoute::blocking, "blocking"},
        {TwinRoute::awaiting, "awaiting"},
        {TwinRoute::threaded, "threaded"},
        {TwinRoute::run_in_threadpool, "run_in_threadpool"},
        {TwinRoute::flask, "flask"},
        {TwinRoute::awaiting_blocking_cache, "awaiting_blocking_cache"},
        {TwinRoute::sqlalchemy_blocking, "sqlalchemy_blocking"},
        {TwinRoute::sqlalchemy_awaiting, "sqlalchemy_awaiting"},
        {TwinRoute::sqlalchemy_threaded, "sqlalchemy_threaded"}};
};
inline bool through_sqlalchemy(TwinRoute r) {
    return r == TwinRoute::sqlalchemy_blocking || r == TwinRoute::sqlalchemy_awaiting ||
           r == TwinRoute::sqlalchemy_threaded;
}

// gunicorn: its master with uvicorn workers (a row of worker processes).
enum class TwinServer { uvicorn, gunicorn, hypercorn, daphne };
template <>
struct Names<TwinServer> {
    static constexpr std::pair<TwinServer, std::string_view> list[] = {
        {TwinServer::uvicorn, "uvicorn"},
        {TwinServer::uvicorn, ""},
        {TwinServer::gunicorn, "gunicorn"},
        {TwinServer::hypercorn, "hypercorn"},
        {TwinServer::daphne, "daphne"}};
};

enum class TwinLoop { asyncio, uvloop };
template <>
struct Names<TwinLoop> {
    static constexpr std::pair<TwinLoop, std::string_view> list[] = {
        {TwinLoop::asyncio, "asyncio"}, {TwinLoop::asyncio, ""}, {TwinLoop::uvloop, "uvloop"}};
};

struct Configuration {
    std::string label;  // in the documents' own terms
    std::string mode;
    Server server = Server::lab;
    // A FastAPI twin's route, server and event loop (the stdlib's asyncio, or uvloop)
    TwinRoute fastapi_variant = TwinRoute::matching;
    TwinServer fastapi_server = TwinServer::uvicorn;
    TwinLoop fastapi_loop = TwinLoop::asyncio;
    std::string host;  // "external" only: where the server already listens
    std::uint16_t port = 0;
    std::string app;  // "app" only: /abs/path/main.py:ATTR, or an import string app.main:app
    std::string app_dir;  // "app" only: where the import string is looked up (--app-dir)
    std::string target_path;  // "app" and "external": the path its route is at (empty: the load's)
    int threads = 40, workers = 4;
    Balance balance = Balance::shared;
    std::string worker_mode = "blocking-in-loop";
    bool gil = false;  // emulate Python's GIL in the server
    bool blocking_redis = false;  // async-sleep: /cache by the blocking client, the rest awaiting
    int db_pool = 10;  // /db: connections to PostgreSQL per server process, P
    // Of P, how many a FastAPI twin's SQLAlchemy pool keeps (its pool_size; the others, its
    // max_overflow, are opened for a burst and closed when they come back); 0: all P are kept.
    int db_pool_kept = 0;
    int queue_workers = 0;  // >0: the work is enqueued (POST /jobs) for this many `lab worker`s, W
    int hosts = 0;  // >0: this many `lab serve` hosts behind nginx, H
    Upstream upstream = Upstream::round_robin;  // with hosts: nginx's balancing
    Client client = Client::concurrent;
    std::optional<int> requests;  // this configuration sends fewer (or more) than the load's
    std::optional<int> concurrency, delay_ms;  // a sweep's point's own C or d (null: the load's)
    std::optional<int> sweep_value;  // a sweep's point: the swept option's value here
    std::optional<int> sweep_home;  // the value its row has without the sweep (its claims' point)
    std::string series;  // a sweep's point: the label of its line, the same at every value
    bool queued() const { return queue_workers > 0; }
    // Whether the lab wrote the server (its own modes and FastAPI twins), so its model applies.
    bool lab_written() const { return server == Server::lab || server == Server::fastapi; }
    // Where the server tells its own account (loop blocked, lag): the lab's and a probed app's
    // GET stats path; empty for a server that keeps none the lab can read.
    std::string stats_path() const {
        return lab_written() ? "/stats" : server == Server::app ? "/__lab/stats" : "";
    }
    bool behind_nginx() const { return hosts > 0; }
    std::optional<double> document_s;  // the figure the document claims, if it gives one
    std::string document_text;  // as the document writes it, e.g. "~1.1s"
    int number = 0;  // its place in the scenario file, from 1 (what [[expect]] row names)
    // Predict, then observe (`lab run --predict`): the class's guess of the lesson's key figure
    // for this configuration, in the figure's unit, and each guess the room sent (--predict-page);
    // the file's words for the idea a guess below (above) the measured value misses.
    std::optional<double> guess;
    std::vector<double> room_guesses;
    std::string if_guessed_low, if_guessed_high;
    bool guessed() const { return guess || !room_guesses.empty(); }  // by the class or the room
};

// A claim the lesson's text makes, as a bound on one figure of one configuration that every run
// checks: "the loop answers /health within tens of milliseconds" is
// {row = 3, figure = "probe_max", at_most = 100}. See scenarios/README.md.
struct Expectation {
    int row = 1;  // the configuration, by its place in the file (from 1)
    Figure figure = Figure::measured;  // lab/scenario/figure_catalogue.hpp
    std::optional<double> at_least, at_most;
    std::string relative_to;  // "" (plain numbers), "model", "K", "share", "d", "N", "T", "W", "P",
                              // "answer" (the row's quickest), a rate ("1/d", "T/d", "W/d",
                              // "N/d"), or "row"
    int relative_row = 0;  // with relative_to = "row": that configuration's same figure
    std::string claim;  // the sentence of the text it supports
    // An exercise's: what a ✗ means of the student's code, in the lesson's terms
    std::string meaning = {};
    std::optional<int> at = {};  // in a sweep: checked at this value (else at the row's own)
    std::string at_option = {};  // the option `at` is a value of (the file's [sweep])
    std::string not_here = {};  // why this run cannot check it (another option swept), or empty
};

// A choice the class may pick before the run, beside its numbers (`[[choice]]`): a sentence of what
// the run will show, checked against the run as a claim is (`says`, whose claim is the choice's
// text), so that whether it was right is measured, never asserted. A wrong one comes from a
// misconception students hold: its name, why it is wrong, and the lesson that answers it (`lab run
// LESSON`); the right one names none.
struct Choice {
    Expectation says;
    std::string misconception, why, lesson;
};
// Choices a lesson may offer (a phone's screen and the projector's end hold this many), and the
// longest text of one.
inline constexpr std::size_t most_choices = 4, longest_choice = 110;

// The number a scenario's lesson turns on, which the report and the terminal chart first.
enum class KeyFigure {
    makespan,  // how long all N took: the staircase against the wall
    bystander_latency,  // how long the /health probes waited meanwhile
    peak_memory,  // each server's peak resident memory
    per_worker,  // how many requests each worker process answered
    latency_over_time,  // open loop: latency from due and from send, over the run
    answer_vs_done,  // a queue: how soon each request was answered, and how soon its work was done
    latency_histogram,  // `lab load`: how long its answers took, in hey's ten slices
    tick_lateness,  // WebSockets: how late each client's latest tick came
};
// Its name in scenario files and summary.json.
template <>
struct Names<KeyFigure> {
    static constexpr std::pair<KeyFigure, std::string_view> list[] = {
        {KeyFigure::makespan, "makespan"},
        {KeyFigure::bystander_latency, "bystander-latency"},
        {KeyFigure::peak_memory, "peak-memory"},
        {KeyFigure::per_worker, "per-worker"},
        {KeyFigure::latency_over_time, "latency-over-time"},
        {KeyFigure::answer_vs_done, "answer-vs-done"},
        {KeyFigure::latency_histogram, "latency-histogram"},
        {KeyFigure::tick_lateness, "tick-lateness"}};
};
// The figure of the catalogue (figure_catalogue.hpp) the class guesses for a key figure:
// "measured" for the makespan, "probe_p50" for the bystander; nullopt where it is not one number.
std::optional<Figure> guessed_figure(KeyFigure figure);
// The figures "Measured here" gives beside each row's makespan for `figure` (none for makespan).
std::vector<Figure> figures_beside(KeyFigure figure);
// How many requests a batch of this load sends: N; rate × duration for an open loop; 0 when it
// sends for a set time (run_for), as many as fit.
int planned_requests(const Load& load);
// A load's key figure when nobody names one: latency over time for an open loop, else makespan.
KeyFigure default_key_figure(const Load& load);

// One numeric option measured at several values, each value a configuration of its own, so that
// the table has a row per point and the chart a curve per configuration (lab/scenario/sweep.hpp).
struct Sweep {
    std::string option;  // as the command line names it: "concurrency", "threads", ...
    std::vector<int> values;
};

// What a run is: a lesson (configurations compared, a model and claims checked), or `lab load`
// (one server the lab did not start, measured and summed up as hey and wrk do).
enum class RunKind { lesson, load };
template <>
struct Names<RunKind> {
    static constexpr std::pair<RunKind, std::string_view> list[] = {{RunKind::lesson, "lesson"},
                                                                    {RunKind::load, "load"}};
};

struct Scenario {
    RunKind kind = RunKind::lesson;
    std::filesystem::path file;
    std::string name, title, source, teaching;
    std::string question, lesson;  // an exercise's: what it asks, and the lesson it practises
    // An exercise's services for the app: "postgresql", "redis", "downstream"
    std::vector<std::string> needs;
    // Absent in the file: makespan, or latency over time for an open loop
    KeyFigure key_figure = KeyFigure::makespan;
    Load load;
    std::vector<Configuration> configurations;
    std::vector<Expectation> expectations;
    std::vector<Choice> choices;
    // The class's choice (--predict), and how many of the room picked each (--predict-page), by
    // place in `choices`
    std::optional<std::size_t> picked;
    std::vector<std::size_t> room_picks;
    std::optional<Sweep> sweep;  // declared in the file ([sweep]) or given on the command line
    std::vector<std::string> notices;  // what apply() changed for the user to hear (not stored)
    // Rows a sweep measures as an earlier row's points (thread-pool's 100 threads once T is
    // swept): their own values still fill the texts' {T@2} (not stored)
    std::vector<Configuration> merged;
    // `lab check`: how far a measured makespan may leave its model (a fraction), and why.
    double model_tolerance = 0.25;
    std::string model_tolerance_why;
    // How long `lab run NAME` took here with the file's own settings, services and servers
    // started and stopped (results/README.md's "Measured here", which a test holds it to); 0: not
    // measured. `lab list`, `lab run` and `lab check` estimate from it (estimate(), runner.hpp).
    double took_here_s = 0;
    // An exercise's: how long its check of the starter took here (took_here_s: of the solution).
    double starter_took_here_s = 0;
};

// A `source` as people cite it: each of the five documents' file names ("001_b11c...txt") as its
// title, “Concurrency and Parallelism in FastAPI” (document 001).
std::string cited_by_title(std::string source);

// Whether the scenario's servers of the lab's own wait on `path` (/db, /fetch, /cache), in its
// load or its bystander's requests, which then needs that service.
bool waits_on(const Scenario& s, const std::string& path);
// Whether a scenario's servers need a PostgreSQL (/db, or an exercise's `needs`), a Redis (/cache,
// queued jobs, or `needs`) or a downstream server (/fetch, or `needs`): `lab run` starts one of the
// lab's own unless given a URL.
bool needs_postgres(const Scenario& s);
bool needs_redis(const Scenario& s);
bool needs_downstream(const Scenario& s);

// How many processes share a configuration's requests, each counted apart in the per-worker
// figures: its worker processes (multi-process), its hosts behind nginx, or its queue workers.
// 1 (one process) for the rest.
int serving_processes(const Configuration& c);
// What one of them is called: "worker", "host" or "queue worker".
inline const char* serving_process_name(const Configuration& c) {
    return c.behind_nginx() ? "host" : c.queued() ? "queue worker" : "worker";
}
// Whether its requests are counted per process: worker processes (even one), hosts, queue workers.
bool served_by_processes(const Configuration& c);

// The load one configuration sends: the scenario's, with the configuration's own N, C or d.
Load load_of(const Load& load, const Configuration& c);

struct ScenarioError : std::runtime_error {
    ScenarioError(const std::filesystem::path& file, const std::string& key,
                  const std::string& reason);
    std::string file, key, reason;
};

// Reads and checks a scenario file (scenario_reader.cpp). Throws ScenarioError.
Scenario load_scenario(const std::filesystem::path& file);

// A folder of the lab's data: $ENV_VAR if set, else installed beside the executable
// (../share/concurrency-lab/NAME), else in the source tree (SOURCE_RELATIVE).
std::filesystem::path lab_data_dir(const char* env_var, const char* name,
                                   const char* source_relative);
// Where scenarios live: $LAB_SCENARIOS, then the installed share folder, then the source tree.
std::filesystem::path scenario_dir();
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir);

// The known name nearest to `name` by edit distance (for "did you mean").
std::string closest_name(const std::string& name, const std::vector<std::string>& known);

}  // namespace lab
