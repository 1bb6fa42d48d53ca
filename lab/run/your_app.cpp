#include "lab/run/your_app.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>

#include "lab/layout.hpp"

namespace lab {
namespace fs = std::filesystem;

namespace {

const std::regex python_name("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

// Whether the user gave a file (main.py, app/main.py:app), not an import string (app.main:app).
bool names_a_file(const std::string& given) {
    return given.find('/') != std::string::npos || given.ends_with(".py") ||
           given.find(".py:") != std::string::npos;
}

// A file's spec: "main.py[:ATTR]" (the last colon after ".py" splits the attribute off: a path
// may hold colons), checked to exist and be Python; relative to `dir` as uvicorn's --app-dir.
bool parse_file(const std::string& given, const fs::path& dir, AppSpec& app, std::string& why) {
    std::string file = given, attr = "app";
    if (auto colon = given.rfind(':');
        colon != std::string::npos && given.substr(0, colon).ends_with(".py"))
        file = given.substr(0, colon), attr = given.substr(colon + 1);
    if (!std::regex_match(attr, python_name)) {
        why = "'" + attr + "' is not a Python name: --app FILE.py[:ATTR], e.g. main.py:app";
        return false;
    }
    fs::path where = fs::path(file).is_absolute() ? fs::path(file) : dir / file;
    std::error_code ec;
    if (!fs::is_regular_file(where, ec))
        why = file + ": no such file (--app FILE.py[:ATTR], or an import string app.main:app)";
    else if (where.extension() != ".py")
        why = file + " is not a Python file (.py): --app takes the file that holds your ASGI app";
    else if (!std::ifstream(where)) why = file + ": cannot be read";
    if (!why.empty()) return false;
    app.spec = where.lexically_normal().string() + ":" + attr;
    app.shown = fs::path(file).filename().string();
    return true;
}

// An import string "package.module:attr", as uvicorn takes it.
bool parse_import_string(const std::string& given, AppSpec& app, std::string& why) {
    auto colon = given.find(':');
    if (colon == std::string::npos || !std::regex_match(given.substr(0, colon), python_name) ||
        !std::regex_match(given.substr(colon + 1), python_name)) {
        why = "--app " + given +
              ": give an import string package.module:attr (as uvicorn: app.main:app) or a file "
              "main.py[:attr]";
        return false;
    }
    app.spec = app.shown = given;
    return true;
}

}  // namespace

std::optional<AppSpec> parse_app(const std::string& given, const std::string& app_dir,
                                 const std::string& path, std::string& why) {
    AppSpec app;
    std::error_code ec;
    fs::path dir = fs::absolute(app_dir.empty() ? "." : app_dir, ec).lexically_normal();
    if (ec || !fs::is_directory(dir, ec)) {
        why = "--app-dir " + app_dir + ": no such folder";
        return std::nullopt;
    }
    app.dir = dir.string();
    if (!(names_a_file(given) ? parse_file(given, dir, app, why)
                              : parse_import_string(given, app, why)))
        return std::nullopt;
    if (!path.empty() && (path[0] != '/' || path.find_first_of(" \t\r\n#") != std::string::npos ||
                          path.size() > 200)) {
        why = "--app-path " + path +
              ": a path on the server, starting with /, without spaces (e.g. /work)";
        return std::nullopt;
    }
    app.path = path;
    return app;
}

std::string app_label(const AppSpec& app) { return "your app (" + app.shown + ")"; }

// The row a student's server adds: the lesson's load (its own N, C and d), no model of the lab's.
static Configuration added_row(const Scenario& s, std::string label) {
    // Number 0: not a row of the file (the lesson's claims are about its own rows).
    Configuration c{.label = std::move(label), .mode = "app", .number = 0};
    if (!s.configurations.empty()) {  // a sweep's point, or a row's own N, C, d: the first row's
        c.requests = s.configurations.front().requests;
        c.concurrency = s.configurations.front().concurrency;
        c.delay_ms = s.configurations.front().delay_ms;
    }
    return c;
}

Scenario with_app(Scenario s, const AppSpec& app) {
    Configuration c = added_row(s, app_label(app));
    c.server = Server::app;
    c.app = app.spec;
    c.app_dir = app.dir;
    c.target_path = app.path.empty() ? s.load.path : app.path;
    s.configurations.push_back(std::move(c));
    return s;
}

Scenario with_target(Scenario s, const std::string& host, std::uint16_t port,
                     const std::string& path) {
    std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    Configuration c = added_row(s, "your server (" + shown + ":" + std::to_string(port) + ")");
    c.server = Server::external;
    c.mode = "external";
    c.host = host;
    c.port = port;
    c.target_path = path.empty() || path == "/" ? s.load.path : path;
    s.configurations.push_back(std::move(c));
    return s;
}

static double median_blocked_ms(const ConfigurationResult& r) {
    return r.median_batch < r.batches.size() ? r.batches[r.median_batch].server.blocked_ms : -1;
}

// How unlike two rows are: the ratio of their makespans, and of their loops' longest blocked
// stretches where both told it (on a log scale: 0.1 s against 1.0 s counts as 1.0 s against 10 s).
static double row_distance(const ConfigurationResult& a, const ConfigurationResult& b) {
    double d = std::abs(std::log((a.makespan.median + 1e-3) / (b.makespan.median + 1e-3)));
    if (double x = median_blocked_ms(a), y = median_blocked_ms(b); x >= 0 && y >= 0)
        d += std::abs(std::log((x + 5) / (y + 5)));
    return d;
}

void compare_with_lesson(RunResult& run) {
    for (ConfigurationResult& mine : run.configurations) {
        if (mine.configuration.lab_written() || !mine.error.empty() || mine.batches.empty() ||
            mine.verdict.served == Served::unknown || mine.verdict.served == Served::failed ||
            mine.verdict.served == Served::said)  // (a bystander's sentence: no way served)
            continue;
        // Only a row that did the same (one at a time, all at once, K at a time) in about the same
        // time is one it behaved like; with none such in this run (--only), nothing is claimed.
        const ConfigurationResult* nearest = nullptr;
        double best = std::numeric_limits<double>::max();
        for (const ConfigurationResult& row : run.configurations)
            if (row.configuration.server == Server::lab && row.error.empty() &&
                !row.batches.empty() &&
                row.configuration.sweep_value == mine.configuration.sweep_value &&
                row.verdict.served == mine.verdict.served &&
                row.verdict.at_once == mine.verdict.at_once &&
                std::abs(std::log(row.makespan.median / mine.makespan.median)) < std::log(1.5))
                if (double d = row_distance(mine, row); d < best) best = d, nearest = &row;
        if (nearest)
            mine.verdict.detail += " — like “" + nearest->configuration.label + "” (" +
                                   fixed(nearest->makespan.median) + " s)";
    }
}

}  // namespace lab
