#include "lab/run/fix_table.hpp"

#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lab {
namespace {

constexpr unsigned any = ~0u;
constexpr unsigned bit(auto e) { return 1u << static_cast<unsigned>(e); }

// One row: which owners, kinds and call families it fits (bits; `any`), and its fix, in which
// `{name}` is the owner's name.
struct FixRow {
    unsigned owners, kinds, families;
    const char* fix;
    const char* lesson;
    const char* when;  // the row's condition in words, for lab/README.md
};

constexpr unsigned computes = bit(HoldKind::computing) | bit(HoldKind::computing_long);

const FixRow rows[] = {
    {bit(Owner::framework), any, any,
     "make the JSON of `{name}`'s answer in a `def` route and return it as a Response (`return "
     "Response(json.dumps(data), media_type=\"application/json\")`): FastAPI validates, encodes "
     "and renders a returned model or list on the loop, after a `def` route returns too",
     "lab run qr-code", "FastAPI's own work on a route's answer"},
    {bit(Owner::body), any, any,
     "make the generator `{name}` a plain `def` generator: Starlette iterates one on the thread "
     "pool",
     "lab run blocking-async", "a streaming answer's async generator"},
    {bit(Owner::background), bit(HoldKind::computing_long) | bit(HoldKind::slices), any,
     "send `{name}`'s work to a queue (RQ) or a process pool: it computes 50 ms or more",
     "lab run background-queue", "a background task computing 50 ms or more"},
    {bit(Owner::background), any, any,
     "make the background function `{name}` a `def`: Starlette runs one on the thread pool",
     "lab run background-tasks", "a background task"},
    {any, any, bit(CallFamily::client_made),
     "make one client at start-up and reuse it in `{name}`: building a client makes an SSL "
     "context, milliseconds of CPU on the loop each time",
     "lab run http-client", "an HTTP client made per request"},
    {any, bit(HoldKind::waiting), bit(CallFamily::child_process),
     "start the child in `{name}` with `await asyncio.create_subprocess_exec(...)` and await its "
     "`wait()`",
     "lab run blocking-async", "a child process waited for"},
    {bit(Owner::middleware), any, any,
     "run the blocking call in the middleware `{name}` with `await asyncio.to_thread(...)`: a "
     "middleware cannot be a `def`",
     "lab run blocking-async", "a middleware"},
    {any, any, bit(CallFamily::database),
     "make {owner} a `def`: FastAPI runs it on the thread pool, and sqlite3 and psycopg2 let go "
     "of the GIL while a query runs (or await an async driver: asyncpg)",
     "lab run blocking-driver", "a blocking database driver"},
    {any, bit(HoldKind::slices), any,
     "run `{name}`'s computing in a process pool (`await loop.run_in_executor(pool, ...)` with one "
     "ProcessPoolExecutor made at start-up): awaiting between slices lets others in, but the "
     "loop still does all the work",
     "lab run cpu-bound", "computing in slices, awaiting between them"},
    {any, bit(HoldKind::computing_long), any,
     "run `{name}`'s computing in a process pool (`await loop.run_in_executor(pool, ...)` with one "
     "ProcessPoolExecutor made at start-up): 50 ms or more of CPU a request would hold a pool "
     "thread's GIL as long",
     "lab run cpu-threshold", "computing 50 ms or more a request"},
    {bit(Owner::dependency), any, any,
     "make the dependency `{name}` a `def`: FastAPI runs a `def` dependency on the thread pool",
     "lab run blocking-async", "a dependency"},
    {bit(Owner::route), bit(HoldKind::waiting), bit(CallFamily::sleep),
     "await `asyncio.sleep(...)` in `{name}` in place of `time.sleep(...)`",
     "lab run blocking-async", "time.sleep in a route"},
    {any, computes, any,
     "make `{name}` a `def`: FastAPI runs it on the thread pool, and under 50 ms a request the "
     "GIL's turns cost little",
     "lab run qr-code", "computing under 50 ms a request"},
    {any, any, any,
     "make `{name}` a `def` (FastAPI runs it on the thread pool), or await an async client "
     "(httpx.AsyncClient, asyncpg, redis.asyncio)",
     "lab run blocking-async", "any other blocking call"},
};

const char* const owner_words[] = {"route", "dependency", "middleware", "background",
                                   "body",  "startup",    "task",       "framework"};
const char* const owner_phrases[] = {
    "the route",         "the dependency",    "the middleware", "the background task",
    "the response body", "the start-up hook", "the task",       "FastAPI's own work for the route"};

bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace

Owner owner_named(std::string_view word) {
    for (std::size_t i = 0; i < std::size(owner_words); ++i)
        if (word == owner_words[i]) return static_cast<Owner>(i);
    return Owner::route;
}

std::string owner_phrase(Owner owner, const std::string& name) {
    const char* phrase = owner_phrases[static_cast<int>(owner)];
    return name.empty() ? phrase : fmt::format("{} `{}`", phrase, name);
}

CallFamily call_family(std::string_view call) {
    if (contains(call, "Client.__init__") || contains(call, "Client(") ||
        contains(call, "create_default_context") || contains(call, "SSLContext"))
        return CallFamily::client_made;
    if (call.starts_with("subprocess.") || call.starts_with("os.system") ||
        call.starts_with("os.popen") || contains(call, "Popen"))
        return CallFamily::child_process;
    if (contains(call, "sleep")) return CallFamily::sleep;
    if (contains(call, "sqlite3") || contains(call, "psycopg") || contains(call, "execute") ||
        contains(call, "cursor") || contains(call, "pymysql"))
        return CallFamily::database;
    if (call.starts_with("requests.") || call.starts_with("urllib") || contains(call, "socket") ||
        contains(call, "http.client") || contains(call, "recv") || contains(call, "urlopen"))
        return CallFamily::socket;
    if (contains(call, "acquire") || contains(call, "__enter__") || contains(call, "join") ||
        contains(call, "Lock") || contains(call, "Event.wait") || contains(call, "Condition") ||
        contains(call, "result"))
        return CallFamily::lock;
    if (call == "open" || contains(call, ".read") || contains(call, ".write") ||
        contains(call, "fsync"))
        return CallFamily::file;
    return CallFamily::other;
}

const char* waiting_on(CallFamily family) {
    static const char* const said[] = {"in a sleep",
                                       "on a child process",
                                       "on a client's set-up",
                                       "on a database",
                                       "on a socket",
                                       "on a file",
                                       "on a lock",
                                       ""};
    static_assert(std::size(said) == static_cast<std::size_t>(CallFamily::other) + 1);
    return said[static_cast<int>(family)];
}

CallFamily owners_call_family(std::string_view call, const std::string& where,
                              const std::string& owner_name) {
    CallFamily family = call_family(call);
    bool in_owner = where.find(" " + owner_name + " → ") != std::string::npos;
    return family == CallFamily::sleep && !in_owner ? CallFamily::other : family;
}

std::string fix_for_stats(const nlohmann::json& diagnosis, const std::string& where,
                          double held_ms) {
    if (!diagnosis.is_object()) return "";
    std::string call = diagnosis.value("call", ""), name = diagnosis.value("owner_name", "");
    double share = diagnosis.value("cpu_share", -1.0);
    Owner owner = owner_named(diagnosis.value("owner", ""));
    return fix_for(owner, hold_kind(share, held_ms * share), owners_call_family(call, where, name),
                   name)
        .text;
}

HoldKind hold_kind(double cpu_share, double cpu_ms) {
    if (cpu_share < 0.5) return HoldKind::waiting;
    return cpu_ms >= process_pool_cpu_ms ? HoldKind::computing_long : HoldKind::computing;
}

Fix fix_for(Owner owner, HoldKind kind, CallFamily family, const std::string& name) {
    for (const FixRow& r : rows)
        if ((r.owners & bit(owner)) && (r.kinds & bit(kind)) && (r.families & bit(family)))
            return {fmt::format(fmt::runtime(r.fix), fmt::arg("name", name),
                                fmt::arg("owner", owner_phrase(owner, name))),
                    r.lesson};
    return {"", ""};  // (the last row fits everything)
}

std::string fix_table_markdown() {
    std::string out = "| when the loop is held by | the fix | lesson |\n|---|---|---|\n";
    for (const FixRow& r : rows)
        out += fmt::format("| {} | {} | `{}` |\n", r.when,
                           fmt::format(fmt::runtime(r.fix), fmt::arg("name", "NAME"),
                                       fmt::arg("owner", "the route `NAME`")),
                           r.lesson);
    return out;
}

}  // namespace lab
