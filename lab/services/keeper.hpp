#pragma once
// Why a keeper: the lab starts services of its own (a PostgreSQL cluster, a Redis) in a
// temporary folder, and must remove them on every exit. A destructor covers a normal return and
// an exception, a signal handler covers Ctrl-C and SIGTERM, but SIGKILL runs nothing at all in
// the process it kills. So the cleaning is done by another process: the keeper, forked by `lab`.
// The keeper starts the service, tells `lab` when it is ready, and then waits on a pipe whose
// other end only `lab` holds. However `lab` ends, the kernel closes that end; the keeper reads
// end-of-file, stops the service, deletes the folder, and exits.
//
//   lab ──control pipe──▶ keeper (own session) ──▶ service (own process group), in /tmp/lab-X-…
//       ◀──"ready" / "failed: why"──
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lab {

struct ServiceSpec {
    std::string name;  // "PostgreSQL", for messages
    std::string missing;  // one line: which package to install
    std::vector<std::vector<std::string>> setup = {};  // commands run first, in order (initdb)
    std::vector<std::string> command;  // the service itself, in the foreground
    std::function<bool()> ready;  // polled (in the keeper) until true
    int polite_signal = SIGTERM;  // how to ask it to stop (postgres: SIGINT, fast shutdown)
    bool as_postgres_user = false;  // as root: run setup and command as Debian's `postgres`
    std::chrono::seconds timeout{20};  // for the setup and the start together
};

// A service its keeper keeps: PrivatePostgres, PrivateRedis and NginxBalancer are each one.
class KeptService {
public:
    // Creates a temporary folder (/tmp/lab-PREFIX-XXXXXX), passes it to `make_spec`, and starts
    // the keeper. Returns when the service is ready; throws std::runtime_error (one line) if not.
    // Call it before the process starts any thread: the keeper is a fork without exec.
    KeptService(const std::string& prefix,
                const std::function<ServiceSpec(const std::filesystem::path&)>& make_spec);
    ~KeptService();  // closes the pipe and waits for the keeper: then nothing of it is left
    KeptService(const KeptService&) = delete;
    KeptService& operator=(const KeptService&) = delete;

    const std::filesystem::path& folder() const { return folder_; }
    double start_seconds() const { return start_seconds_; }  // from the folder to "ready"
    pid_t keeper_pid() const { return keeper_; }

private:
    std::filesystem::path folder_;
    pid_t keeper_ = -1;
    int control_fd_ = -1;  // the write end, never written: the keeper waits for it to close
    double start_seconds_ = 0;
};

}  // namespace lab
