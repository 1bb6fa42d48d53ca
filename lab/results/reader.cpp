#include "lab/results/reader.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "lab/figures/figure_value.hpp"
#include "lab/bounded_json.hpp"
#include "lab/results/csv.hpp"
#include "lab/results/schema.hpp"

namespace lab {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void damaged(const fs::path& file, const std::string& reason) {
    throw ResultsError(file.string() + ": " + reason);
}

// requests.csv: configuration index -> batch number -> its requests and probes.
using CsvBatches = std::map<std::size_t, std::map<int, Batch>>;

// The next row's fields into `row`; false at the end; damage said with the file's name.
bool next_row(CsvReader& reader, std::vector<std::string>& row, const fs::path& file) {
    try {
        return reader.next(row);
    } catch (const std::invalid_argument& e) { damaged(file, e.what()); }
}

// One row of requests.csv, its cells by column name, each checked as it is read.
class CsvRow {
public:
    CsvRow(const fs::path& file, const std::vector<std::string>& header,
           const std::map<std::string, std::size_t>& column, const std::vector<std::string>& fields,
           std::size_t line)
        : file_(file), column_(column), fields_(fields), where_("row " + std::to_string(line + 1)) {
        if (fields_.size() != header.size())
            damaged(file, where_ + " has " + std::to_string(fields_.size()) +
                              " fields, the header " + std::to_string(header.size()));
    }
    bool has(const char* name) const { return column_.count(name) > 0; }
    const std::string& at(const char* name) const { return fields_[column_.at(name)]; }
    // A number, or -1 for an empty cell ("did not happen"); anything else is damage.
    std::int64_t integer(const char* name, std::int64_t low, std::int64_t high) const {
        const std::string& cell = at(name);
        if (cell.empty()) return -1;
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
        if (ec != std::errc{} || end != cell.data() + cell.size() || value < low || value > high)
            fail(std::string(", column '") + name + "': '" + cell +
                 "' is not a whole number from " + std::to_string(low) + " to " +
                 std::to_string(high));
        return value;
    }
    [[noreturn]] void fail(const std::string& reason) const { damaged(file_, where_ + reason); }

private:
    const fs::path& file_;
    const std::map<std::string, std::size_t>& column_;
    const std::vector<std::string>& fields_;
    std::string where_;
};

// Which of summary.json's configurations a row belongs to: by its index (older files: its label),
// and its label must agree, or the two files are of two runs.
std::size_t configuration_of(const CsvRow& row,
                             const std::vector<ConfigurationResult>& configurations) {
    std::size_t config = 0;
    if (row.has("configuration_index")) {
        std::int64_t n = row.integer("configuration_index", 0,
                                     static_cast<std::int64_t>(configurations.size()) - 1);
        if (n < 0) row.fail(": no configuration_index");
        config = static_cast<std::size_t>(n);
    } else {
        auto same = std::find_if(configurations.begin(), configurations.end(), [&](const auto& c) {
            return c.configuration.label == row.at("configuration");
        });
        if (same == configurations.end())
            row.fail(": configuration '" + row.at("configuration") + "' is not in summary.json");
        config = static_cast<std::size_t>(same - configurations.begin());
    }
    if (row.at("configuration") != configurations[config].configuration.label)
        row.fail(": configuration '" + row.at("configuration") + "' where summary.json has '" +
                 configurations[config].configuration.label + "' (files of two different runs?)");
    return config;
}

// A row's request, as the harness recorded it (columns older files lack stay "did not happen").
RequestRecord request_of(const CsvRow& row) {
    const std::int64_t any = std::numeric_limits<std::int64_t>::max();
    RequestRecord r;
    r.batch = static_cast<int>(row.integer("batch", 0, 100));
    r.index = static_cast<int>(row.integer("index", 0, 10'000'000));
    r.connection = static_cast<int>(row.integer("connection", -1, 1'000'000));
    r.intended_us = row.integer("intended_us", -any, any);
    r.connect_us = row.integer("connect_us", -any, any);
    r.send_us = row.integer("send_us", -any, any);
    r.first_byte_us = row.integer("first_byte_us", -any, any);
    r.end_us = row.integer("end_us", -any, any);
    r.status = static_cast<int>(std::max<std::int64_t>(0, row.integer("status", 0, 999)));
    r.bytes = static_cast<std::size_t>(std::max<std::int64_t>(0, row.integer("bytes", 0, any)));
    r.worker_pid = row.integer("worker_pid", -1, any);
    r.thread_id = row.integer("thread_id", -1, any);
    r.server_start_us = row.integer("server_start_us", -any, any);
    r.server_end_us = row.integer("server_end_us", -any, any);
    if (row.has("db_start_us") && row.has("db_end_us")) {
        r.db_start_us = row.integer("db_start_us", -any, any);
        r.db_end_us = row.integer("db_end_us", -any, any);
    }
    if (row.has("job_queued_us") && row.has("done_us")) {
        r.job_queued_us = row.integer("job_queued_us", -any, any);
        r.done_us = row.integer("done_us", -any, any);
    }
    if (row.has("token_wait_us") && row.has("connection_wait_us")) {  // a probed app's waits
        r.token_wait_us = row.integer("token_wait_us", -1, any);
        r.connection_wait_us = row.integer("connection_wait_us", -1, any);
    }
    if (row.has("endpoint"))  // which target of `lab load`'s mix
        r.endpoint = static_cast<int>(std::max<std::int64_t>(0, row.integer("endpoint", 0, 99)));
    const auto error = named<ErrorKind>(row.at("error"));
    if (!error) row.fail(", column 'error': not an error kind: '" + row.at("error") + "'");
    r.error = *error;
    return r;
}

CsvBatches read_requests(const fs::path& file,
                         const std::vector<ConfigurationResult>& configurations) {
    std::ifstream in = open_results_file(file, max_requests_csv_bytes,
                                         "a run keeps at most 1,000,000 requests a batch");
    CsvReader reader(in, max_requests_csv_row_bytes);
    std::vector<std::string> header, fields;
    if (!next_row(reader, header, file)) damaged(file, "empty: not even its header line");
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
    for (const char* needed :
         {"configuration", "batch", "kind", "index", "connection", "intended_us", "connect_us",
          "send_us", "first_byte_us", "end_us", "status", "bytes", "worker_pid", "thread_id",
          "server_start_us", "server_end_us", "error"})
        if (!column.count(needed)) damaged(file, std::string("no column '") + needed + "'");
    CsvBatches batches;
    for (std::size_t line = 1; next_row(reader, fields, file); ++line) {
        CsvRow row(file, header, column, fields, line);
        std::size_t config = configuration_of(row, configurations);
        RequestRecord r = request_of(row);
        const std::string& kind = row.at("kind");
        if (kind != "request" && kind != "probe")
            row.fail(", column 'kind': '" + kind + "' is neither request nor probe");
        Batch& batch = batches[config][r.batch];
        batch.number = r.batch;
        (kind == "probe" ? batch.probes : batch.requests).push_back(r);
    }
    return batches;
}

// Puts a configuration's requests from requests.csv into the batches summary.json describes,
// refusing a pair of files that do not belong together.
void join_batches(ConfigurationResult& r, std::map<int, Batch> csv, bool open_loop,
                  const fs::path& dir, std::size_t index) {
    std::string which =
        "configuration " + std::to_string(index + 1) + " ('" + r.configuration.label + "')";
    if (csv.size() != r.batches.size())
        damaged(dir / "requests.csv", "has " + std::to_string(csv.size()) + " batches of " + which +
                                          ", summary.json " + std::to_string(r.batches.size()));
    for (BatchRecord& row : r.batches) {
        auto found = csv.find(row.number);
        if (found == csv.end())
            damaged(dir / "requests.csv",
                    "has no batch " + std::to_string(row.number) + " of " + which);
        row.requests = std::move(found->second.requests);
        row.probes = std::move(found->second.probes);
        row.stats = summarize(row);
        if (open_loop && row.number > 0)
            for (const RequestRecord& q : row.requests) account(row.open_loop, q);
    }
    // The makespans, as the run computed them: only for a configuration that ran to the end.
    if (r.error.empty()) {
        if (r.batches.empty())
            damaged(dir / "summary.json", which + " ran without error but has no batch");
        std::vector<double> makespans;
        for (const BatchRecord& row : r.batches) makespans.push_back(row.stats.makespan_s);
        r.makespan = spread_of(makespans);
    }
}

}  // namespace

std::ifstream open_results_file(const fs::path& file, std::uintmax_t most, const char* why_most) {
    std::uintmax_t bytes = 0;
    std::string why;
    std::ifstream in = open_regular_file(file, bytes, why);
    if (!why.empty())
        damaged(file, why + (why == "cannot be read"
                                 ? ""
                                 : ": a results folder's " + file.filename().string() +
                                       " is a file of its own"));
    if (bytes > most)
        damaged(file, std::to_string(bytes >> 20) + " MiB, over the " + std::to_string(most >> 20) +
                          " MiB the lab reads back (" + why_most + ")");
    return in;
}

RunResult read_results(const fs::path& dir) {
    fs::path summary_file = dir / "summary.json";
    if (fs::exists(dir / "doctor.json") && !fs::exists(summary_file))
        damaged(dir,
                "is a `lab doctor` run's folder: `lab report` shows it; replay and diff read "
                "lessons' and loads' runs");
    if (!fs::exists(summary_file))
        damaged(summary_file, "cannot be read (is " + dir.string() + " a results folder?)");
    std::ifstream in = open_results_file(summary_file, max_summary_json_bytes,
                                         "a run's summary keeps figures, never its requests");
    bool too_deep = false;
    auto summary = parse_bounded_json(in, &too_deep);
    if (too_deep)
        damaged(summary_file, "nested deeper than the lab reads (a summary nests a few levels)");
    if (summary.is_discarded()) damaged(summary_file, "not valid JSON");
    RunResult run;
    try {
        run = run_from_summary(summary);
    } catch (const SchemaError& e) { damaged(summary_file, e.what()); }
    CsvBatches csv = read_requests(dir / "requests.csv", run.configurations);
    for (std::size_t i = 0; i < run.configurations.size(); ++i)
        join_batches(run.configurations[i], std::move(csv[i]), run.scenario.load.rate > 0, dir, i);
    measure_figures(run);
    return run;
}

std::vector<fs::path> newest_runs(const fs::path& runs, std::size_t n) {
    std::vector<fs::path> found;
    if (fs::is_directory(runs))
        for (const auto& entry : fs::directory_iterator(runs))
            if (entry.path().filename().string().front() != '.' &&
                (fs::exists(entry.path() / "summary.json") ||
                 fs::exists(entry.path() / "doctor.json")))
                found.push_back(entry.path());
    std::ranges::sort(found, {}, [](const fs::path& p) { return p.filename(); });
    found.erase(found.begin(), found.end() - static_cast<long>(std::min(n, found.size())));
    return found;
}

fs::path results_folder(const fs::path& given) {
    if (fs::exists(given / "summary.json") || fs::exists(given / "doctor.json")) return given;
    for (const fs::path& runs : {given, fs::path("results") / given})
        if (auto newest = newest_runs(runs, 1); !newest.empty()) return newest.front();
    throw ResultsError(given.string() +
                       ": not a results folder, nor a folder of runs (nor results/" +
                       given.string() + ")");
}

}  // namespace lab
