#include "lab/cli/commands.hpp"

namespace lab {
namespace {

constexpr Subcommand table[] = {
    {"serve", "Start one server in a concurrency mode", define_serve},
    {"run", "Run a scenario: start its servers, send the load, print the table", define_run},
    {"load", "Send the harness's load to any HTTP server: same statistics, files and report",
     define_load},
    {"report", "Print a saved run's table and rebuild its report.html, or compare two (lab diff)",
     define_report},
    {"list", "List the scenarios", define_list},
    {"show", "Print a scenario's lesson, configurations and models", define_show},
    {"worker", "Take jobs from a Redis queue (POST /jobs) and run them: the lab's RQ worker",
     define_worker},
    {"exercise", "Exercises that grade themselves: list, start NAME DIR, check NAME DIR",
     define_exercise},
    {"doctor",
     "Your app's routes under load: which hold the event loop, at which line, and the fix",
     define_doctor},
    {"diff",
     "Two runs compared: each figure's change, whether the batches can tell, claims and timelines",
     define_diff},
    {"replay", "Play a recorded run on the live page, slowed down: play, pause, step, speed",
     define_replay},
    {"check", "Run scenarios and check every claim their texts make (exit 1 if one fails)",
     define_check},
};

}  // namespace

std::span<const Subcommand> subcommands() { return table; }

}  // namespace lab
