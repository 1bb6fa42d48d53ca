// --with-fastapi: each configuration's twin on the real stack the lab's C++ stands in for, FastAPI
// under uvicorn (or gunicorn's workers, or RQ's), where that stack has the same set-up.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "lab/modes/modes.hpp"
#include "lab/run/configuration_processes.hpp"
#include "lab/run/runner.hpp"

namespace lab {

namespace {

// Whether Debian's python3 can import `modules` ("fastapi, uvicorn"): what the twins need.
bool python_imports(const std::string& modules) {
    return std::system(
               (std::string(python) + " -c 'import " + modules + "' >/dev/null 2>&1").c_str()) == 0;
}

// What python3 lacks, as a notice of the run: what, its Debian package, what the run does instead.
void lacking(Scenario& s, const std::string& what, const std::string& package,
             const std::string& instead) {
    s.notices.push_back(what + " is not installed for python3 (apt-get install " + package + "); " +
                        instead);
}

// The twins' event loop: uvloop (python3-uvloop) where --uvloop or a row's fastapi_loop asks for
// it and it is installed, else the stdlib's asyncio.
void choose_loops(Scenario& s, bool uvloop) {
    if (uvloop)
        for (Configuration& c : s.configurations) c.fastapi_loop = TwinLoop::uvloop;
    bool wanted = std::ranges::any_of(s.configurations,
                                      [](auto& c) { return c.fastapi_loop == TwinLoop::uvloop; });
    if (wanted && !python_imports("uvloop")) {
        lacking(s, "uvloop", "python3-uvloop", "the twins run asyncio's loop");
        for (Configuration& c : s.configurations) c.fastapi_loop = TwinLoop::asyncio;
    }
}

// Worker processes in production Python: gunicorn's master with uvicorn workers (000).
bool has_workers(const Configuration& c) {
    return find_mode(c.mode) && find_mode(c.mode)->takes_workers;
}

// A WSGI twin's name: Flask under gunicorn's sync workers (a row with worker processes) or its
// gthread workers (a row with a pool), as serve.py starts it.
const char* wsgi_twin(const Configuration& c) {
    return has_workers(c) ? " [Flask, gunicorn sync" : " [Flask, gunicorn gthread";
}

// What a twin's /db goes through where it is SQLAlchemy's (sqlalchemy_apps.py), for its label.
std::string sqlalchemy_session(const Configuration& c) {
    if (!through_sqlalchemy(c.fastapi_variant)) return "";
    return c.fastapi_variant == TwinRoute::sqlalchemy_awaiting
               ? ", SQLAlchemy AsyncSession + asyncpg"
               : ", SQLAlchemy Session + psycopg2";
}

// Without SQLAlchemy (or greenlet, which its asyncio extension needs), the twins whose /db is
// SQLAlchemy's run the mode's own route, the driver without the ORM, and the run says so.
void without_sqlalchemy(Scenario& s) {
    auto wants = [](const Configuration& c) { return through_sqlalchemy(c.fastapi_variant); };
    if (std::ranges::none_of(s.configurations, wants) || python_imports("sqlalchemy, greenlet"))
        return;
    lacking(s, "SQLAlchemy or greenlet", "python3-sqlalchemy python3-greenlet",
            "the twins query through the drivers alone");
    for (Configuration& c : s.configurations)
        if (wants(c)) c.fastapi_variant = TwinRoute::matching;
}

// The row's twin on the real stack: FastAPI under uvicorn (or `asgi_server`), gunicorn's uvicorn
// workers for a row of worker processes (when `gunicorn` is installed), Flask under gunicorn for a
// WSGI row, RQ for a queue.
Configuration twin_configuration(const Configuration& c, const Load& load, bool gunicorn,
                                 TwinServer asgi_server) {
    Configuration twin = c;
    twin.server = Server::fastapi;
    if (has_workers(c) && gunicorn) twin.fastapi_server = TwinServer::gunicorn;
    else if (!has_workers(c) && c.fastapi_variant != TwinRoute::flask)
        twin.fastapi_server = asgi_server;
    if (twin.fastapi_server == TwinServer::daphne)
        twin.fastapi_loop = TwinLoop::asyncio;  // (Twisted runs asyncio's loop: said in the label)
    // The twin runs what gunicorn or uvicorn can; its label says where that differs from the row.
    std::string differs;
    if (!c.gil && load.work_path() == "/cpu" && !c.queued() && !has_workers(c))
        differs += ", CPython's GIL";  // (a worker or queue worker has its own)
    differs += sqlalchemy_session(c);
    if (twin.fastapi_loop == TwinLoop::uvloop) differs += ", uvloop";
    const std::string suffix = std::string(c.queued() ? " [FastAPI + RQ"
                                           : c.fastapi_variant == TwinRoute::flask ? wsgi_twin(c)
                                           : twin.fastapi_server == TwinServer::uvicorn
                                               ? " [FastAPI"
                                               : " [FastAPI, " + name_of(twin.fastapi_server)) +
                               differs + "]";
    twin.label = c.label + suffix;
    if (!c.series.empty()) twin.series = c.series + suffix;
    twin.gil = true;  // CPython's own, for the model
    // The class guessed the lesson's rows; the real stack is for comparing, and the rows' words
    // for a wrong guess need not hold for it.
    twin.guess.reset();
    twin.room_guesses.clear();
    twin.if_guessed_low.clear();
    twin.if_guessed_high.clear();
    // (the document's figure stays: the documents measured FastAPI, so it is this row's too)
    return twin;
}

// Whether the twins can run (FastAPI, uvicorn, for WebSockets uvicorn's protocol); if not, said.
bool twins_can_run(Scenario& s) {
    if (!python_imports("fastapi, uvicorn"))
        lacking(s, "FastAPI or uvicorn", "python3-fastapi python3-uvicorn",
                "running the C++ modes only");
    else if (s.load.websocket() && !python_imports("websockets"))
        lacking(s, "websockets", "python3-websockets", "running the C++ modes only");
    else return true;
    return false;
}

}  // namespace

Scenario with_fastapi(Scenario s, bool uvloop, TwinServer asgi_server) {
    if (!twins_can_run(s)) return s;
    bool has_rq =
        std::ranges::none_of(s.configurations, &Configuration::queued) || python_imports("rq");
    if (!has_rq) lacking(s, "RQ", "python3-rq", "the queue's rows have no FastAPI twin");
    bool has_gunicorn = std::ranges::none_of(s.configurations, has_workers) ||
                        python_imports("gunicorn, uvicorn.workers");
    if (!has_gunicorn)
        lacking(s, "gunicorn", "gunicorn", "the worker rows' twins run uvicorn --workers instead");
    // gunicorn's workers share one socket: the real stack has no SO_REUSEPORT or dealer set-up, so
    // those rows get no twin (it would be the shared socket's again, under another name). A WSGI
    // row has its twin: a sync worker accepts only when free, so its shared socket deals evenly.
    auto other_balance = [&](const Configuration& c) {
        return has_workers(c) && c.balance != Balance::shared &&
               c.fastapi_variant != TwinRoute::flask;
    };
    if (std::ranges::any_of(s.configurations, other_balance))
        s.notices.push_back(s.name +
                            ": the rows whose workers balance by SO_REUSEPORT or round-robin have "
                            "no FastAPI twin: gunicorn's workers share one socket (its row is the "
                            "shared socket's twin)");
    choose_loops(s, uvloop);
    without_sqlalchemy(s);
    TwinServer server = asgi_server;
    if (server != TwinServer::uvicorn && !python_imports(name_of(server))) {
        lacking(s, name_of(server), "python3-" + name_of(server), "the twins run uvicorn instead");
        server = TwinServer::uvicorn;
    }
    std::vector<Configuration> both;
    for (const Configuration& c : s.configurations) {
        both.push_back(c);
        // (the C++ row runs the lab's own loop: the key is its twin's)
        both.back().fastapi_loop = TwinLoop::asyncio;
        if (c.server != Server::lab) continue;  // a student's app or server is its own twin
        if (c.queued() && !has_rq) continue;  // (said above)
        if (other_balance(c)) continue;  // (said above)
        both.push_back(twin_configuration(c, s.load, has_gunicorn, server));
    }
    s.configurations = std::move(both);
    return s;
}

}  // namespace lab
