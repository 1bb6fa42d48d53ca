#pragma once
// A lesson against a student's own code: their ASGI app, started by the lab under uvicorn and
// wrapped by its probe (`lab run LESSON --app main.py`), or any server already running
// (`--target URL`), becomes one more row of the lesson, on the same load and time axis. After the
// run, the row is told which of the lesson's rows it behaved like.
#include <optional>
#include <stdexcept>
#include <string>

#include "lab/run/run_result.hpp"

namespace lab {

// An app named as uvicorn names it: an import string `package.module:attr`, looked up from
// --app-dir (default: the current folder), or a file `path/to/main.py[:attr]` (attr default `app`;
// a file inside a package is imported by its dotted name, so its relative imports work: the probe
// finds the package's root). `path` (--app-path) is the route to load, if not the lesson's.
struct AppSpec {
    std::string spec;  // what serve.py --app takes: "app.main:app", or "/abs/path/main.py:app"
    std::string dir;  // absolute: where an import string is looked up (--app-dir)
    std::string path;
    std::string shown;  // as the user named it: "main.py", "app.main:app"
};
// The spec, or why not ("main.txt is not a Python file (.py)"); `app_dir` "": the current folder.
std::optional<AppSpec> parse_app(const std::string& given, const std::string& app_dir,
                                 const std::string& path, std::string& why);

// A student's app did not start: it does not import, is not ASGI, died, or never answered (its
// lifespan never ended); the probe's "your app: ..." words. An input the user gave, as a bad file
// is. Its start is its only check: the app's module runs once, in the process that serves it.
struct AppWontStart : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// "your app (main.py)": the row's label.
std::string app_label(const AppSpec& app);

// The lesson with the student's app as its last row.
Scenario with_app(Scenario s, const AppSpec& app);
// The lesson with a running server as its last row: host, port, and the route's path ("" or "/":
// the lesson's own).
Scenario with_target(Scenario s, const std::string& host, std::uint16_t port,
                     const std::string& path);

// For each row the lab did not write, with its server's own stamps: which of the lesson's rows it
// behaved like, added to its verdict ("sequential — like “async def + time.sleep(0.1)”").
void compare_with_lesson(RunResult& run);

}  // namespace lab
