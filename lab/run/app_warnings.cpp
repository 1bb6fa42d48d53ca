#include "lab/run/app_warnings.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

namespace lab {
namespace {

// Python's warnings.formatwarning(): "FILE:LINE: CategoryWarning: message". The advice Python
// adds after an unawaited coroutine ("Enable tracemalloc ...") says nothing of the student's code.
bool is_warning(const std::string& line) {
    static const std::regex warning(R"(^\S.*:[0-9]+: [A-Za-z]*Warning: .+)");
    return std::regex_match(line, warning) && line.find("Enable tracemalloc") == std::string::npos;
}

// A warning's line, cut there (a log is the app's to fill)
constexpr std::size_t most_line_bytes = 300;

std::string cut(std::string line) {
    if (line.size() > most_line_bytes) line = line.substr(0, most_line_bytes) + " …";
    return line;
}

}  // namespace

AppWarnings app_warnings(const std::string& log) {
    AppWarnings found;
    std::vector<std::string> seen;
    std::istringstream lines(log);
    std::string line, pending;
    auto keep = [&](const std::string& warning) {
        if (warning.empty() || std::find(seen.begin(), seen.end(), warning) != seen.end()) return;
        seen.push_back(warning);
        if (found.shown.size() < most_app_warnings) found.shown.push_back(warning);
        else ++found.more;
    };
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        // The code line Python prints under a warning, indented: it belongs with the warning.
        if (!pending.empty() && line.starts_with("  ") &&
            line.find_first_not_of(' ') != std::string::npos) {
            keep(pending + "\n" + cut(line));
            pending.clear();
            continue;
        }
        keep(pending);
        pending = is_warning(line) ? cut(line) : "";
    }
    keep(pending);
    return found;
}

}  // namespace lab
