#include "lab/report/load_summary.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "lab/byte_sizes.hpp"

namespace lab {
namespace {

std::string ms_text(std::int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 3); }

std::string count_text(std::int64_t n) { return std::to_string(n); }

// "1.23 MB", "456 kB", "789 B": bytes as people read them (powers of 1000, as hey does).
std::string bytes_text(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB"};
    int u = 0;
    for (; bytes >= 1000 && u < 3; ++u) bytes /= 1000;
    return fixed(bytes, u == 0 ? 0 : 2) + " " + units[u];
}

std::string padded(const std::string& text, std::size_t width) {
    return fmt::format("{:>{}}", text, width);
}

// Items on lines of at most `columns`, two spaces apart, each further line indented by `indent`.
std::string joined(const std::vector<std::string>& items, int columns, std::size_t indent) {
    std::string text, line;
    for (const std::string& item : items) {
        if (!line.empty() && indent + display_width(line) + 2 + display_width(item) >
                                 static_cast<std::size_t>(columns)) {
            text += line + "\n" + std::string(indent, ' ');
            line.clear();
        }
        line += (line.empty() ? "" : "  ") + item;
    }
    return text + line;
}

// The latency percentiles of one tally: "p50 0.112  p90 0.180 ... max 1.202".
std::vector<std::string> percentiles(const Tally& t) {
    std::vector<std::string> items;
    for (auto [name, p] : {std::pair{"p50", 50.0}, {"p90", 90.0}, {"p99", 99.0}, {"p99.9", 99.9}})
        items.push_back(std::string(name) + " " + ms_text(t.latency.percentile(p)));
    items.push_back("max " + ms_text(t.latency.max()));
    return items;
}

// hey's histogram as text: a bar for each slice of latency_slices().
std::string histogram_text(const Tally& t, int columns) {
    const auto slices = latency_slices(t);
    if (slices.empty()) return "  (no answers)\n";
    std::int64_t most = 0;
    for (const LatencySlice& s : slices) most = std::max(most, s.answers);
    const std::size_t label = ms_text(slices.back().upper_us).size(),
                      number = count_text(most).size();
    const int bar_width = std::max(4, columns - static_cast<int>(label + number) - 8);
    std::string text;
    for (const LatencySlice& s : slices)
        text += "  " + padded(ms_text(s.upper_us), label) + " [" +
                padded(count_text(s.answers), number) + "] " +
                bar(static_cast<double>(s.answers), static_cast<double>(most), bar_width) + "\n";
    return text;
}

// "[200] 980", "[404] 20": the answers by status.
std::vector<std::string> statuses(const Tally& t) {
    std::vector<std::string> items;
    for (auto [status, n] : t.statuses) items.push_back(fmt::format("[{}] {}", status, n));
    if (items.empty()) items.push_back("none answered");
    return items;
}

// A kind of failure as the summary names it: "status 4xx/5xx", "body over 1 MiB" (its limit).
std::string error_name(ErrorKind kind, const AnswerLimits& limits) {
    if (kind == ErrorKind::status) return "status 4xx/5xx";
    if (kind == ErrorKind::head_over_limit) return "head over " + byte_size_text(limits.head);
    if (kind == ErrorKind::body_over_limit) return "body over " + byte_size_text(limits.body);
    return std::string(to_string(kind));
}

// The failures by kind, or "none": "connect 3 (Too many open files)", "body over 1 MiB 2".
std::vector<std::string> errors(const Tally& t, const AnswerLimits& limits,
                                const std::string& connect_failure) {
    std::vector<std::string> items;
    for (ErrorKind kind :
         {ErrorKind::connect, ErrorKind::write, ErrorKind::read, ErrorKind::head_over_limit,
          ErrorKind::body_over_limit, ErrorKind::timeout, ErrorKind::status})
        if (std::int64_t n = t.errors_of(kind); n > 0)
            items.push_back(error_name(kind, limits) + " " + count_text(n) +
                            (kind == ErrorKind::connect && !connect_failure.empty()
                                 ? " (" + connect_failure + ")"
                                 : ""));
    if (items.empty()) items.push_back("none");
    return items;
}

std::string line(const std::string& name, const std::string& value) {
    return "  " + name + std::string(14 - name.size(), ' ') + value + "\n";
}

// "Status codes: [200] 980  [404] 20" and "Errors: connect 3" on two lines, as the summary ends
// (an answer past `limits` named by the limit: "body over 1 MiB 3"; the connections' failures
// with the system's reason, if given: "connect 99 (Too many open files)").
std::string answers_text(const Tally& t, const AnswerLimits& limits, int columns,
                         const std::string& connect_failure) {
    std::string text =
        "\nStatus codes:   " + joined(lab::statuses(t), columns, 16) +
        "\nErrors:         " + joined(errors(t, limits, connect_failure), columns, 16) + "\n";
    if (t.errors_of(ErrorKind::head_over_limit) + t.errors_of(ErrorKind::body_over_limit) > 0)
        text += wrap(
            "The server answered, larger than the lab reads: --max-head and --max-body take larger "
            "answers.",
            columns);
    return text;
}

// The system's first reason a connection could not be opened ("Too many open files"), or "".
std::string connect_failure(const RunResult& run) {
    for (const ConfigurationResult& c : run.configurations)
        for (const Batch& b : c.batches)
            if (!b.connect_failure.empty()) return b.connect_failure;
    return "";
}

// hey's "Summary:": the time, the rate, the requests and the bytes.
std::string summary_lines(const LoadFigures& f) {
    const Tally& all = f.all;
    const double seconds = f.seconds;
    std::ostringstream out;
    out << "Summary:\n"
        << line("Total:", fixed(seconds, 4) + " s")
        << line("Requests/sec:", fixed(f.per_second(all), 1))
        << line("Requests:", count_text(all.requests) + " (" + count_text(all.failed) +
                                 " failed: an error, or a 4xx/5xx answer)")
        << line("Transfer/sec:",
                bytes_text(seconds > 0 ? static_cast<double>(all.body_bytes) / seconds : 0) +
                    " of bodies (" +
                    bytes_text(all.latency.count() ? static_cast<double>(all.body_bytes) /
                                                         static_cast<double>(all.latency.count())
                                                   : 0) +
                    " each)");
    if (f.unfinished > 0)
        out << line("Unfinished:", count_text(f.unfinished) +
                                       " still in flight when the time was up (not counted)");
    return out.str();
}

// What requests.csv keeps beside what the figures count, when it could not keep every request.
std::string kept_note(const LoadFigures& f, int columns) {
    const Tally& all = f.all;
    const std::int64_t not_recorded = f.not_recorded;
    if (not_recorded <= 0) return "";
    return "\n" +
           wrap(f.counted_all
                    ? "requests.csv keeps the first " + count_text(all.requests - not_recorded) +
                          " requests; the figures above count all " + count_text(all.requests) + "."
                    : "The figures above count the " + count_text(all.requests) +
                          " requests requests.csv keeps, of " +
                          count_text(all.requests + not_recorded) +
                          " sent (see the run's own summary for all).",
                columns);
}

}  // namespace

std::string load_description(const Load& load) {
    std::string text = load.flags.run_for_ms > 0
                           ? "for " + fixed(load.flags.run_for_ms / 1000.0, 1) + " s"
                           : std::to_string(load.requests) + " requests";
    if (load.repeat > 1) text += " × " + std::to_string(load.repeat) + " runs";
    // What ran: no more connections than requests, no more threads than connections.
    const int connections =
        connections_used(load.requests, load.concurrency, load.flags.run_for_ms > 0);
    const int threads = threads_used(load.flags.client_threads, connections);
    text += ", " + count_of(connections, "connection") + " on " + count_of(threads, "thread") +
            ", " + load.method + " " + load.path;
    for (const std::string& path : load.flags.more_paths) text += ", " + path;
    if (!load.flags.more_paths.empty()) text += " (mixed by weight)";
    text += load.flags.keep_alive ? ", keep-alive" : ", a new connection per request";
    if (!load.flags.headers.empty())
        text += ", " + count_of(static_cast<long long>(load.flags.headers.size()), "header");
    if (!load.flags.body.empty())
        text += ", a body of " + bytes_text(static_cast<double>(load.flags.body.size()));
    return text;
}

std::string open_loop_totals_text(const RunResult& run, int columns) {
    const LoadFigures& f = run.load_figures;
    return "\n" +
           line("Requests/sec:", fixed(f.per_second(f.all), 1) + " answered or failed (" +
                                     count_text(f.all.requests) + " requests, " +
                                     count_text(f.all.failed) + " failed)") +
           answers_text(f.all, run.scenario.load.answer_limits, columns, connect_failure(run));
}

std::string latency_histogram_text(const Tally& answers, int columns) {
    return std::string("Latency histogram (ms") +
           (log_spaced(answers) ? ", slices on a log scale" : "") + "):\n" +
           histogram_text(answers, columns);
}

std::vector<Column> load_columns(const LoadFigures& f) {
    Column path{.header = "endpoint", .wraps = true}, weight{.header = "weight", .fold_order = 2};
    Column requests{.header = "requests"}, rate{.header = "req/s"}, failed{.header = "failed"};
    Column p50{.header = "p50 ms"}, p99{.header = "p99 ms", .fold_order = 3},
        max{.header = "max ms", .fold_order = 4};
    Column statuses{
        .header = "status codes", .narrow_header = "codes", .fold_order = 1, .wraps = true};
    auto counted = [&](const Tally& t) {  // the columns an endpoint and the bystander share
        requests.cells.push_back(count_text(t.requests));
        p50.cells.push_back(ms_text(t.latency.percentile(50)));
        p99.cells.push_back(ms_text(t.latency.percentile(99)));
        max.cells.push_back(ms_text(t.latency.max()));
        statuses.cells.push_back(joined(lab::statuses(t), 100'000, 0));
        failed.cells.push_back(count_text(t.failed));
    };
    for (std::size_t e = 0; e < f.targets.size(); ++e) {
        path.cells.push_back(f.targets[e].target);
        weight.cells.push_back(std::to_string(f.targets[e].weight));
        rate.cells.push_back(fixed(f.per_second(f.endpoints[e]), 1));
        counted(f.endpoints[e]);
    }
    if (f.bystander) {  // its own row: what one request apart from the load waited meanwhile
        path.cells.push_back("bystander " + f.probe_path + " (every " +
                             std::to_string(f.probe_every_ms) + " ms)");
        for (Column* c : {&weight, &rate}) c->cells.push_back("—");
        counted(*f.bystander);
    }
    return {path, weight, requests, rate, p50, p99, max, failed, statuses};
}

std::string load_summary_text(const RunResult& run, const Layout& layout) {
    const int columns = layout.wide ? 100 : std::min(layout.columns, 80);
    const Load& load = run.scenario.load;
    std::ostringstream out;
    out << wrap(run.scenario.title, columns) << wrap(load_description(load), columns) << '\n';
    for (const ConfigurationResult& c : run.configurations)
        if (!c.error.empty()) out << wrap("Stopped: " + c.error, columns) << '\n';
    const LoadFigures& f = run.load_figures;
    const Tally& all = f.all;
    if (all.requests > 0 && all.statuses.empty()) {  // no answers: a rate or latency would mislead
        // Only if no connection was taken may nothing listen (a too-large answer had a server).
        const bool none_connected = all.errors_of(ErrorKind::connect) == all.failed;
        out << wrap("Every request failed: " + count_text(all.failed) + " of " +
                        count_text(all.requests) +
                        ", none answered, so nothing was measured (no requests per second, no "
                        "latency)." +
                        (none_connected ? " Is a server listening there?" : ""),
                    columns)
            << answers_text(all, load.answer_limits, columns, connect_failure(run));
        return out.str();
    }
    out << summary_lines(f);
    out << '\n'
        << wrap("Latency (ms, from when each request was due to its answer; " +
                    latency_precision(all.latency) + "):",
                columns)
        << "  " << joined(percentiles(all), columns, 2) << "\n";
    out << '\n' << latency_histogram_text(all, columns);
    out << answers_text(all, load.answer_limits, columns, connect_failure(run));
    if (f.bystander) {  // head-of-line blocking as a figure: how long a request apart waited
        const Tally& b = *f.bystander;
        out << '\n'
            << wrap("Bystander: GET " + f.probe_path + " every " +
                        std::to_string(f.probe_every_ms) +
                        " ms, one at a time, apart from the load: p50 " +
                        ms_text(b.latency.percentile(50)) + " ms, max " + ms_text(b.latency.max()) +
                        " ms (" + count_text(b.requests) + " sent, " + count_text(b.failed) +
                        " failed)",
                    columns);
    }
    if (f.endpoints.size() > 1) {
        out << "\nEndpoints:\n";
        print_table(out, load_columns(f), Layout{columns, layout.wide, layout.colour});
    }
    out << kept_note(f, columns);
    return out.str();
}

}  // namespace lab
