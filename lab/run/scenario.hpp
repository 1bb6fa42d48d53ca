#pragma once
// A scenario is one lesson in a TOML file: what to teach, which document it reproduces, the
// load to send, and the configurations to compare. Bad files are refused with file, key, reason.
#include <filesystem>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lab {

struct Load {
    int requests = 10;  // path: /delay waits delay_ms; /cpu computes delay_ms of CPU
    int concurrency = 10;
    std::string path = "/delay";
    std::string method = "GET";
    int delay_ms = 100;
    int repeat = 5;  // measured batches, after one warm-up
    bool warmup = true;       // false for loads too long to send twice (c10k)
    bool report_memory = false;  // a column with each server's peak resident memory
    double rate = 0;          // > 0: open loop, `rate` requests per second for duration_ms
    int duration_ms = 5000;
    int stall_ms = 0;         // open loop: one request of this delay, sent at stall_at_ms
    int stall_at_ms = 1000;
    int stagger_ms = 0;       // connection c sends its first request at c·stagger
    std::string probe_path;   // e.g. "/health": a bystander sent every probe_every_ms meanwhile
    int probe_every_ms = 25;
};

struct Configuration {
    std::string label;  // in the documents' own terms
    std::string mode;
    std::string server = "lab";  // "lab", "fastapi" (lab/reference/serve.py) or "external"
    std::string fastapi_variant;   // for --with-fastapi; empty: the one that matches `mode`
    std::string host;              // "external" only: where the server already listens
    std::uint16_t port = 0;
    int threads = 40;
    int workers = 4;
    std::string balance = "shared";
    std::string worker_mode = "blocking-in-loop";
    bool gil = false;                   // emulate Python's GIL in the server
    std::string client = "concurrent";  // or "sequential"
    std::optional<int> requests;        // this configuration sends fewer (or more) than the load's
    std::optional<double> document_s;  // the figure the document claims, if it gives one
    std::string document_text;          // as the document writes it, e.g. "~1.1s"
};

struct Scenario {
    std::filesystem::path file;
    std::string name, title, source, teaching;
    Load load;
    std::vector<Configuration> configurations;
};

struct ScenarioError : std::runtime_error {
    ScenarioError(const std::filesystem::path& file, const std::string& key, const std::string& reason);
    std::string file, key, reason;
};

Scenario load_scenario(const std::filesystem::path& file);

// Where scenarios live: $LAB_SCENARIOS, then the installed share folder, then the source tree.
std::filesystem::path scenario_dir();
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& dir);

// The known name nearest to `name` by edit distance (for "did you mean").
std::string closest_name(const std::string& name, const std::vector<std::string>& known);

}  // namespace lab
