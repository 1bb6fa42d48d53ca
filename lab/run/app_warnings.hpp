#pragma once
// What a student's app warned of on its stderr (kept in the run's server.log): Python's warnings,
// "main.py:12: RuntimeWarning: coroutine 'sleep' was never awaited", each with the line of code
// Python shows below it. The grade of an exercise prints them: a warning is often the very
// mistake the figures only hint at (an `asyncio.sleep(...)` never awaited waits for nothing).
#include <string>
#include <vector>

namespace lab {

// Distinct ones; the rest are counted, not shown
inline constexpr std::size_t most_app_warnings = 5;

struct AppWarnings {
    // "main.py:12: RuntimeWarning: ...", and its code line if Python gave one
    std::vector<std::string> shown;
    int more = 0;  // distinct warnings past most_app_warnings
};
// Python's warnings in `log`, each once, in the order they came. Text from outside: the caller
// prints it through printable().
AppWarnings app_warnings(const std::string& log);

}  // namespace lab
