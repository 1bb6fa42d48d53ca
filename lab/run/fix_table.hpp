#pragma once
// What to change when a route holds the loop: one table, read by `lab doctor`, the exercises'
// grades and lab/README.md (a test holds the README's copy to it). A row is chosen by whose code
// held the loop (its owner, which the probe tells from the framework's frame that called it),
// what the loop thread did there (measured: computing or waiting, in one go or in slices) and the
// call it was in; the first row that fits wins. tests/data/doctor_corpus holds each row's app
// before and after its fix, applied as printed.
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace lab {

// framework: FastAPI's own work for a route (validating, encoding and rendering its answer)
enum class Owner { route, dependency, middleware, background, body, startup, task, framework };
enum class HoldKind {
    waiting,  // the loop thread did not compute: time.sleep, a socket, a child process
    computing,  // it computed, under 50 ms a request (the documents' line for the thread pool)
    computing_long,  // it computed, 50 ms or more a request: a process pool or a queue
    slices,  // it computed in slices, awaiting between them (`await asyncio.sleep(0)`)
};
enum class CallFamily { sleep, child_process, client_made, database, socket, file, lock, other };
// What a waiting hold waited in, as its verdict says it: "on a child process"; "" for other.
const char* waiting_on(CallFamily family);

struct Fix {
    std::string text;  // what to change, naming the owner: "make the dependency `x` a `def` ..."
    const char* lesson;  // the lesson that shows it: "lab run blocking-async"
};

Owner owner_named(std::string_view probe_word);  // the probe's "dependency"; else Owner::route
// "the dependency `current_user`", "the route `nap`".
std::string owner_phrase(Owner owner, const std::string& name);
// From the call the hold was in: "time.sleep" -> sleep, "subprocess.run" -> child_process,
// "httpx._client.AsyncClient.__init__" -> client_made, "sqlite3.connect" -> database.
CallFamily call_family(std::string_view call);
// The same of a located hold (`where`: "app/x.py:9 helper → time.sleep"): time.sleep inside a
// helper the owner calls (an SDK's) is not the owner's to swap for asyncio.sleep.
CallFamily owners_call_family(std::string_view call, const std::string& where,
                              const std::string& owner_name);
Fix fix_for(Owner owner, HoldKind kind, CallFamily family, const std::string& name);
// The documents' line: a request computing this long (ms of CPU) goes to a process pool or a
// queue; under it, a `def` route's turns at the GIL cost little.
inline constexpr double process_pool_cpu_ms = 50;
// A hold's kind from its CPU share (of the time it was not queued for a core) and its CPU a
// request: waiting below half, computing, and computing_long from process_pool_cpu_ms.
HoldKind hold_kind(double cpu_share, double cpu_ms);
// A probed app's longest located hold, as its /__lab/stats says it (held_diagnosis: the call,
// the owner and its name, the CPU share) beside its loop time a request: its fix, or "".
std::string fix_for_stats(const nlohmann::json& diagnosis, const std::string& where,
                          double held_ms);

// Each row as lab/README.md shows it: "| owner | kind | call | fix | lesson |".
std::string fix_table_markdown();

}  // namespace lab
