#include "lab/results/reader.hpp"

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

namespace lab {
namespace fs = std::filesystem;
namespace {

// One CSV line into fields, honouring "quoted, fields" with "" for a quote.
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char ch = line[i];
        if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += line[++i];
        else if (ch == '"') quoted = !quoted;
        else if (ch == ',' && !quoted) fields.emplace_back();
        else fields.back() += ch;
    }
    return fields;
}

std::int64_t integer(const std::string& field) { return field.empty() ? -1 : std::stoll(field); }

ErrorKind error_kind(const std::string& text) {
    for (auto kind : {ErrorKind::connect, ErrorKind::write, ErrorKind::read, ErrorKind::status, ErrorKind::timeout})
        if (to_string(kind) == text) return kind;
    return ErrorKind::none;
}

// requests.csv: label -> batch number -> its requests and probes.
std::map<std::string, std::map<int, Batch>> read_requests(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(file.string() + ": cannot be read");
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header = split_csv(line);
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
    for (const char* needed : {"configuration", "batch", "kind", "index", "send_us", "end_us", "error"})
        if (!column.count(needed)) throw std::runtime_error(file.string() + ": no column '" + needed + "'");
    std::map<std::string, std::map<int, Batch>> batches;
    for (int number = 2; std::getline(in, line); ++number) {
        auto f = split_csv(line);
        if (f.size() != header.size())
            throw std::runtime_error(file.string() + ": line " + std::to_string(number) + " has " +
                                     std::to_string(f.size()) + " fields, the header " + std::to_string(header.size()));
        auto at = [&](const char* name) { return f[column.at(name)]; };
        RequestRecord r;
        r.batch = static_cast<int>(integer(at("batch")));
        r.index = static_cast<int>(integer(at("index")));
        r.connection = static_cast<int>(integer(at("connection")));
        r.intended_us = integer(at("intended_us"));
        r.connect_us = integer(at("connect_us"));
        r.send_us = integer(at("send_us"));
        r.first_byte_us = integer(at("first_byte_us"));
        r.end_us = integer(at("end_us"));
        r.status = static_cast<int>(integer(at("status")));
        r.bytes = static_cast<std::size_t>(std::max<std::int64_t>(0, integer(at("bytes"))));
        r.worker_pid = integer(at("worker_pid"));
        r.thread_id = integer(at("thread_id"));
        r.server_start_us = integer(at("server_start_us"));
        r.server_end_us = integer(at("server_end_us"));
        r.error = error_kind(at("error"));
        Batch& batch = batches[at("configuration")][r.batch];
        batch.number = r.batch;
        (at("kind") == "probe" ? batch.probes : batch.requests).push_back(r);
    }
    return batches;
}

}  // namespace

RunResult read_results(const fs::path& dir) {
    fs::path summary_file = dir / "summary.json";
    std::ifstream in(summary_file);
    if (!in) throw std::runtime_error(summary_file.string() + ": cannot be read (is " + dir.string() + " a results folder?)");
    auto summary = nlohmann::json::parse(in, nullptr, false);
    if (!summary.is_object()) throw std::runtime_error(summary_file.string() + ": not valid JSON");
    auto requests = read_requests(dir / "requests.csv");

    RunResult run;
    try {
        Scenario& s = run.scenario;
        s.name = summary.at("scenario");
        s.title = summary.at("title");
        s.source = summary.at("source");
        s.teaching = summary.value("teaching", "");
        const auto& load = summary.at("load");
        s.load.requests = load.at("requests");
        s.load.concurrency = load.at("concurrency");
        s.load.path = load.at("path");
        s.load.method = load.at("method");
        s.load.delay_ms = load.at("delay_ms");
        s.load.repeat = load.at("repeat");
        s.load.stagger_ms = load.value("stagger_ms", 0);
        s.load.warmup = load.value("warmup_batches", 1) > 0;
        s.load.report_memory = load.value("report_memory", false);
        s.load.probe_path = load.value("probe_path", "");
        s.load.probe_every_ms = load.value("probe_every_ms", 25);
        for (const auto& c : summary.at("configurations")) {
            ConfigurationResult r;
            Configuration& config = r.configuration;
            config.label = c.at("label");
            config.mode = c.at("mode");
            config.client = c.value("client", "concurrent");
            config.gil = c.value("gil", false);
            config.threads = c.at("options").value("threads", 40);
            config.workers = c.at("options").value("workers", 4);
            config.balance = c.at("options").value("balance", "shared");
            config.worker_mode = c.at("options").value("worker_mode", "blocking-in-loop");
            if (c.at("document_s").is_number()) config.document_s = c.at("document_s").get<double>();
            config.document_text = c.value("document_text", "");
            if (int n = c.value("requests", s.load.requests); n != s.load.requests) config.requests = n;
            Load own = s.load;
            own.requests = config.requests.value_or(s.load.requests);
            r.model = model_of(config, own);
            r.peak_rss_kib = c.value("peak_rss_kib", -1L);
            r.model.formula = c.value("model_formula", r.model.formula);
            r.model_s = c.at("model_s");
            r.makespan = {c.at("measured_s").at("median"), c.at("measured_s").at("min"), c.at("measured_s").at("max")};
            r.verdict = c.value("verdict", "");
            r.error = c.value("error", "");
            for (auto& [number, batch] : requests[config.label]) {
                if (number == c.value("median_batch", 0)) r.median_batch = r.batches.size();
                r.stats.push_back(summarize(batch));
                r.batches.push_back(std::move(batch));
            }
            for (const auto& b : c.at("batches")) r.loop_lag_ms.push_back(b.value("loop_lag_ms", -1.0));
            run.configurations.push_back(std::move(r));
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(summary_file.string() + ": " + e.what());
    }
    return run;
}

}  // namespace lab
