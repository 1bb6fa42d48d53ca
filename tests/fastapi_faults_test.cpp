// Stopping `lab run --with-fastapi` at the worst moment, while uvicorn is still starting its
// workers, leaves nothing running: not serve.py, not uvicorn, not one of its workers.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>

#include <sys/wait.h>

#include "support.hpp"

namespace {

bool fastapi_installed() {
    return std::system("/usr/bin/python3 -c 'import fastapi, uvicorn' >/dev/null 2>&1") == 0;
}

std::string command_line(pid_t pid) {
    std::string text = test::read_file("/proc/" + std::to_string(pid) + "/cmdline");
    for (char& ch : text)
        if (ch == '\0') ch = ' ';
    return text;
}

}  // namespace

TEST_CASE("lab run --with-fastapi stopped while uvicorn starts leaves no process behind",
          "[e2e][untimed]") {
    if (!fastapi_installed()) {
        WARN("FastAPI or uvicorn is not installed for /usr/bin/python3: skipped");
        return;
    }
    auto signal = GENERATE(SIGINT, SIGTERM, SIGKILL);
    INFO("signal " << signal);
    test::ScratchDir out;
    // The first FastAPI twin is gunicorn with 4 uvicorn workers (or, without gunicorn, uvicorn
    // --workers 4): a master or supervisor and four workers, forked or spawned.
    pid_t lab =
        test::spawn_lab({"run", "multi-process", "--with-fastapi", "--repeat", "1", "--requests",
                         "4", "--delay", "20", "--quiet", "--out", out.path.string()});
    std::set<pid_t> seen;
    // The moment the server has started a worker that is still importing FastAPI: the worker
    // has not yet tied its life to its master's.
    auto worker_starting = [&] {
        int gunicorns = 0;
        bool spawned = false;
        for (pid_t pid : test::descendants(lab)) {
            seen.insert(pid);
            std::string command = command_line(pid);
            spawned = spawned || command.find("multiprocessing") != std::string::npos;  // uvicorn's
            gunicorns +=
                command.find("gunicorn") != std::string::npos;  // the master, then its forks
        }
        return spawned || gunicorns >= 2;
    };
    REQUIRE(test::eventually(worker_starting, std::chrono::seconds(20)));
    kill(lab, signal);  // the process this test started
    waitpid(lab, nullptr, 0);
    INFO("processes seen below lab: " << seen.size());
    std::set<pid_t> still = test::survivors(seen, std::chrono::seconds(10));
    for (pid_t pid : still) INFO("still alive: " << pid << " " << command_line(pid));
    CHECK(still.empty());
}
