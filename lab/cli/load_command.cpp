// `lab load URL...`: the lab's harness as a load tester for any HTTP server, with the flags of hey
// and wrk (-n, -c, -z, -m, -H, -d, -t, --timeout, --disable-keepalive). It sends what it is told:
// one run, no warm-up, exactly -n requests (or for -z), and prints a summary like theirs.
#include "lab/cli/command_support.hpp"
#include "lab/cli/run_output.hpp"
#include "lab/cli/commands.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>

#include "harness/open_loop.hpp"
#include "lab/byte_sizes.hpp"
#include "lab/target_url.hpp"

namespace lab {
namespace {

constexpr std::size_t most_body_bytes = 1 << 20;
constexpr std::size_t most_headers = 100;  // (summary.json keeps them; its reader takes 100)

// "2s", "500ms", "1m" (a unit is required: wrk reads a bare 2 as seconds, the lab once as ms).
std::optional<int> duration_ms(const std::string& text) {
    long n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    const long per_unit = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60'000 : 0;
    // (every caller's limit is at most 10 minutes)
    if (ec != std::errc() || text.starts_with('-') || per_unit == 0 || n > 600'000 / per_unit)
        return std::nullopt;
    return static_cast<int>(n * per_unit);
}

// An HTTP token (a method, a header's name): letters, digits and !#$%&'*+-.^_`|~.
bool is_token(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
    });
}

// A header as hey and curl take it, "Name: value": a token for its name, no line breaks.
std::optional<std::string> header_problem(const std::string& header) {
    auto colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
        return "a header is 'Name: value', got '" + header + "'";
    if (!is_token(header.substr(0, colon)))
        return "'" + header.substr(0, colon) +
               "' is not a header name (letters, digits and !#$%&'*+-.^_`|~)";
    for (char ch : header)
        if (ch == '\r' || ch == '\n' || ch == '\0') return "a header may not hold a line break";
    return std::nullopt;
}

// What the command line says, before it is checked and turned into a load.
struct LoadOptions {
    std::vector<std::string> urls;
    Load load;
    std::string duration, timeout = "30s", body_file;
    std::vector<int> weights;
    bool allow_remote = false;
    std::string probe, probe_every = "25ms";
    std::string max_head, max_body;  // (empty: AnswerLimits's own)
    Output output;
};

void declare_load(CLI::App& app, LoadOptions& o) {
    o.load.delay_ms = 0;
    o.load.requests = 200;  // hey's defaults
    o.load.concurrency = 50;
    o.load.repeat = 1;  // one run: a load tester sends what it is told, no more
    o.load.warmup = false;
    app.add_option("url", o.urls,
                   "http://HOST:PORT/PATH of any HTTP server (an IP address or localhost); "
                   "several: their paths mixed, by --weights")
        ->required()
        ->expected(1, 10);
    in_range(app.add_option("-n,--requests", o.load.requests, "Requests to send (exactly)"), 1,
             1'000'000);
    in_range(app.add_option("-c,--concurrency", o.load.concurrency, "Connections at once"), 1,
             10'000);
    app.add_option("-z,--duration", o.duration,
                   "Send for this long instead of -n requests (2s, 500ms, 1m); with --rate, the "
                   "open loop's length");
    in_range(app.add_option("-t,--threads", o.load.flags.client_threads,
                            "Threads sending (connections spread over them)"),
             1, 64);
    app.add_option("-m,--method", o.load.method, "HTTP method")->capture_default_str();
    app.add_option("-H,--header", o.load.flags.headers, "A header, 'Name: value' (repeatable)");
    auto* body = app.add_option("-d,--body", o.load.flags.body, "Request body");
    app.add_option("--body-file", o.body_file, "Request body from a file")->excludes(body);
    app.add_option("--timeout", o.timeout, "Per request (2s, 500ms)")->capture_default_str();
    app.add_flag(
        "--disable-keepalive", [&o](std::int64_t) { o.load.flags.keep_alive = false; },
        "A new connection for every request");
    app.add_option("-w,--weights", o.weights, "One weight per URL, e.g. 3,1 (default: equal)")
        ->delimiter(',')
        ->check(CLI::Range(1, 100));
    in_range(app.add_option("--repeat", o.load.repeat, "Runs of the whole load (1: one)"), 1, 100);
    app.add_option("--rate", o.load.rate,
                   "Open loop: requests per second on a fixed schedule, for -z (0: closed loop)")
        ->check(CLI::Range(0.0, 100'000.0));
    app.add_flag("--allow-remote", o.allow_remote, "Allow a target that is not on this machine");
    app.add_option("--probe", o.probe,
                   "A bystander: this path of the same server, sent one at a time apart from the "
                   "load (e.g. /health); its latency is the head-of-line figure");
    app.add_option("--probe-every", o.probe_every, "How often the bystander asks (10ms, 1s)")
        ->capture_default_str();
    app.add_option("--max-head", o.max_head,
                   "The largest answer head read, status line and headers (" +
                       byte_size_text(AnswerLimits{}.head) + "; e.g. 64k, at most 1M)");
    app.add_option("--max-body", o.max_body,
                   "The largest answer body read (" + byte_size_text(AnswerLimits{}.body) +
                       "; e.g. 4M, at most 1G)");
    o.output.declare(app);
}

// Each step below takes what the flags say into the load; a refusal is its reason, said as
// "lab load: REASON" with exit 2.
using Refusal = std::optional<std::string>;

struct Target {
    Configuration configuration;
    std::vector<std::string> paths;
};

// The server the URLs name (all one: the mix is of paths), loopback only unless the user says so.
Refusal take_target(const LoadOptions& o, Target& t) {
    for (const std::string& url : o.urls) {
        TargetUrl target = parse_target_url(url);
        if (std::string refused = refused_target(target, o.allow_remote); !refused.empty())
            return refused;
        if (!t.paths.empty() &&
            (target.host != t.configuration.host || target.port != t.configuration.port))
            return url + " is on another server than " + o.urls.front() +
                   "; the URLs of one load mix paths of one server";
        t.configuration.host = target.host;
        t.configuration.port = target.port;
        t.paths.push_back(target.path);
    }
    t.configuration.label = fmt::format("{}", fmt::join(o.urls, " "));
    t.configuration.mode = "external";
    t.configuration.server = Server::external;
    return std::nullopt;
}

// The URLs' paths, mixed by their weights.
Refusal take_paths(const LoadOptions& o, const Target& target, Load& load) {
    load.path = target.paths.front();
    load.flags.more_paths.assign(target.paths.begin() + 1, target.paths.end());
    if (!o.weights.empty() && o.weights.size() != o.urls.size())
        return "--weights gives " + std::to_string(o.weights.size()) + " weights for " +
               std::to_string(o.urls.size()) + " URLs: one each";
    if (o.urls.size() > 1)
        load.flags.weights = o.weights.empty() ? std::vector<int>(o.urls.size(), 1) : o.weights;
    return std::nullopt;
}

// What each request is: its method, headers and body (-d, or --body-file up to 1 MiB).
Refusal take_request(const LoadOptions& o, Load& load) {
    if (load.method.size() > 20 || !is_token(load.method))
        return "-m " + load.method + ": a method is a word of letters, like GET, POST, PUT, DELETE";
    if (load.flags.headers.size() > most_headers)
        return "at most " + std::to_string(most_headers) + " headers (-H)";
    for (const std::string& header : load.flags.headers)
        if (auto problem = header_problem(header)) return "-H: " + *problem;
    if (!o.body_file.empty()) {  // (read no more than the limit and a byte: /dev/zero has no end)
        std::error_code ec;
        if (std::filesystem::is_directory(o.body_file, ec))
            return "--body-file " + o.body_file + ": is a folder, not a file";
        std::ifstream file(o.body_file, std::ios::binary);
        if (!file) return "--body-file " + o.body_file + ": cannot be read";
        load.flags.body.resize(most_body_bytes + 1);
        file.read(load.flags.body.data(), static_cast<std::streamsize>(load.flags.body.size()));
        // (opened, but a read failed)
        if (file.bad()) return "--body-file " + o.body_file + ": cannot be read";
        load.flags.body.resize(static_cast<std::size_t>(file.gcount()));
    }
    // wrk's -d is a duration, hey's (and ours) a body: "-d 3s" on a GET surely meant the former.
    if (o.body_file.empty() && load.method == "GET" && duration_ms(load.flags.body))
        std::cerr << "lab load: warning: -d " << load.flags.body
                  << " is sent as the request body (-d is hey's body); "
                  << "to send for a time, as wrk's -d does, use -z " << load.flags.body << '\n';
    if (load.flags.body.size() > most_body_bytes)
        return "the body has " + std::to_string(load.flags.body.size()) + " bytes; at most 1 MiB";
    return std::nullopt;
}

// How long: each request's timeout, and -z (for the closed loop, or the open loop's length).
Refusal take_times(const LoadOptions& o, Load& load) {
    auto timeout = duration_ms(o.timeout);
    if (!timeout || *timeout < 1 || *timeout > 600'000)
        return "--timeout " + o.timeout + ": from 1ms to 10m, with a unit (2s, 500ms)";
    load.timeout_ms = *timeout;
    if (!o.duration.empty()) {
        auto ms = duration_ms(o.duration);
        if (!ms || *ms < 100 || *ms > 600'000)
            return "-z " + o.duration + ": from 100ms to 10m, with a unit (2s, 500ms, 1m)";
        (load.rate > 0 ? load.duration_ms : load.flags.run_for_ms) = *ms;
    }
    if (load.rate > 0) {
        if (o.duration.empty()) return "--rate needs -z, how long to send (e.g. -z 5s)";
        if (o.urls.size() > 1 || load.flags.client_threads > 1)
            return "--rate sends to one URL from one thread";
        if (auto problem =
                open_loop_problem(load.rate, std::chrono::milliseconds(load.duration_ms)))
            return "--rate " + fixed(load.rate, 1) + " -z " + o.duration + ": " + *problem;
    }
    return std::nullopt;
}

// The bystander (--probe): a path of the same server, one request at a time beside the load.
Refusal take_probe(const LoadOptions& o, Load& load) {
    if (o.probe.empty()) return std::nullopt;
    auto every = duration_ms(o.probe_every);
    if (o.probe.front() != '/' || o.probe.size() > 200 ||
        o.probe.find_first_of(" \t\r\n") != std::string::npos)
        return "--probe " + o.probe + ": a path of the same server, starting with / (e.g. /health)";
    if (!every || *every < 1 || *every > 10'000)
        return "--probe-every " + o.probe_every + ": from 1ms to 10s, with a unit";
    if (load.rate > 0) return "--probe goes with the closed loop (-n or -z), not --rate";
    load.probe_path = o.probe;
    load.probe_every_ms = *every;
    return std::nullopt;
}

// How large an answer may be (--max-head, --max-body): past them a request fails as "head over"
// or "body over" the limit, said so.
Refusal take_answer_limits(const LoadOptions& o, Load& load) {
    std::optional<std::size_t> head =
        o.max_head.empty() ? std::optional(load.answer_limits.head) : parse_byte_size(o.max_head);
    std::optional<std::size_t> body =
        o.max_body.empty() ? std::optional(load.answer_limits.body) : parse_byte_size(o.max_body);
    if (!head || *head < 1024 || *head > most_answer_head)
        return "--max-head " + o.max_head + ": from 1k to " + byte_size_text(most_answer_head) +
               " (bytes, or with k, M, G)";
    if (!body || *body < 1 || *body > most_answer_body)
        return "--max-body " + o.max_body + ": from 1 byte to " + byte_size_text(most_answer_body) +
               " (bytes, or with k, M, G)";
    load.answer_limits = {*head, *body};
    return std::nullopt;
}

}  // namespace

Action define_load(CLI::App& app) {
    auto o = std::make_shared<LoadOptions>();
    declare_load(app, *o);
    return [o] {
        Target target;
        // The run `lab load` makes: a kind of its own, one server the lab did not start.
        Scenario s{
            .kind = RunKind::load,
            .name = "load",
            .title = "lab load " + o->urls.front() +
                     (o->urls.size() > 1 ? " (and " + std::to_string(o->urls.size() - 1) + " more)"
                                         : ""),
            .source = "—",
            .teaching = "The lab's harness against a server it did not start.",
            // A load tester's figure: its answers' latency (over the run for --rate), no makespan.
            .key_figure =
                o->load.rate > 0 ? KeyFigure::latency_over_time : KeyFigure::latency_histogram,
            .load = o->load};
        Refusal refusal = take_target(*o, target);  // in order: the first refusal is said
        if (!refusal) refusal = take_paths(*o, target, s.load);
        if (!refusal) refusal = take_request(*o, s.load);
        if (!refusal) refusal = take_times(*o, s.load);
        if (!refusal) refusal = take_probe(*o, s.load);
        if (!refusal) refusal = take_answer_limits(*o, s.load);
        if (refusal) return said("lab load", *refusal);
        s.configurations.push_back(target.configuration);
        return o->output.run_and_report(s);
    };
}

}  // namespace lab
