// multi-process: a supervisor forks W worker processes, each running its own event loop.
// Each worker still blocks as blocking-in-loop does, but W of them serve at once: ceil(N/W) waves,
// if the connections are spread evenly; how they are spread is the --balance option.
#include <csignal>
#include <optional>

#include <sys/prctl.h>
#include <unistd.h>

#include "lab/modes/dealer.hpp"
#include "lab/modes/supervisor.hpp"
#include "lab/modes/waits.hpp"
#include "lab/compute/cpu_ledger.hpp"
#include "lab/server/handoff.hpp"
#include "lab/server/server_stats.hpp"

namespace lab {
namespace {

// How the workers share the port. `shared`: all accept from one inherited socket, as gunicorn
// and uvicorn do, so whichever worker's loop is free first takes the connection. `reuseport`:
// each worker listens on a socket of its own and the kernel spreads connections by a hash.
// `round-robin`: the supervisor accepts every connection and deals them out in turn (Node's
// cluster module does this), so the spread is even whatever the workers are doing.
struct WorkerListener {
    asio::io_context context{1};
    tcp::acceptor socket{context};
    bool reuse_port = false;
    Dealer* dealer = nullptr;  // round-robin only
};

// SIGINT and SIGTERM: what the supervisor and its workers stop on.
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

[[noreturn]] void run_worker(WorkerListener& listener, ServeOptions options, int ready_fd,
                             pid_t supervisor, int dealt) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a worker never outlives its supervisor,
    if (getppid() != supervisor) _exit(1);  // even one that died before the line above
    std::signal(SIGINT, SIG_DFL);  // and stops when told to (fork copied the supervisor's handlers)
    std::signal(SIGTERM, SIG_DFL);
    // Blocked across the fork (start_worker): one that came meanwhile acts now
    sigset_t stops = stop_signals();
    sigprocmask(SIG_UNBLOCK, &stops, nullptr);
    listener.context.notify_fork(asio::execution_context::fork_child);
    std::optional<tcp::acceptor> own;
    if (listener.reuse_port) own.emplace(open_listener(listener.context, options, true));
    if (listener.dealer)
        serve_handed(listener.context, dealt, listener.socket.local_endpoint().protocol(),
                     loop_handlers(options.worker_mode), options);
    else serve(own ? *own : listener.socket, loop_handlers(options.worker_mode), options);
    if (ready_fd >= 0 && (write(ready_fd, "r", 1) != 1 || close(ready_fd) != 0))
        _exit(1);  // "listening"
    listener.context.run();
    _exit(0);
}

pid_t start_worker(WorkerListener& listener, const ServeOptions& options, int ready_fd) {
    int channel[2] = {-1, -1};  // round-robin: [0] the dealer's end, [1] the worker's
    if (listener.dealer && !handoff_channel(channel)) return -1;
    listener.context.notify_fork(asio::execution_context::fork_prepare);
    pid_t supervisor = getpid();
    // A stop that arrives while the worker is new must stop it: until it has dropped the
    // supervisor's handlers, the signal waits (blocked) instead of reaching a handler that only
    // takes note. Else the worker lives on, and the supervisor waits 3 s for it (stop_all).
    sigset_t stops = stop_signals(), before;
    sigprocmask(SIG_BLOCK, &stops, &before);
    pid_t pid = fork();
    if (pid == 0) {
        if (listener.dealer) close(channel[0]);
        run_worker(listener, options, ready_fd, supervisor, channel[1]);
    }
    sigprocmask(SIG_SETMASK, &before, nullptr);
    listener.context.notify_fork(asio::execution_context::fork_parent);
    if (listener.dealer) {
        close(channel[1]);
        if (pid > 0) listener.dealer->add(pid, channel[0]);
        else close(channel[0]);
    }
    return pid;  // -1 if fork failed: the supervisor says so and never signals it
}

}  // namespace

// A second server on a port must fail as in every other mode. SO_REUSEPORT would let it join
// this one's group and take half the connections, so first bind the port the plain way: that
// fails while anyone listens there. (Between this check and the workers' own binds another
// reuseport server could still slip in; the window is the time a fork takes.)
static void refuse_a_taken_port(const ServeOptions& options) {
    asio::io_context scratch;
    tcp::acceptor probe{scratch};
    tcp::endpoint endpoint{asio::ip::make_address(options.host), options.port};
    probe.open(endpoint.protocol());
    probe.set_option(tcp::acceptor::reuse_address(true));  // only TIME_WAIT leftovers may share it
    probe.bind(endpoint);  // throws "Address already in use"
}

int serve_multi_process(const ServeOptions& requested) {
    ServeOptions options = requested;
    WorkerListener listener;
    listener.reuse_port = options.balance == Balance::reuseport;
    if (listener.reuse_port) {
        if (options.port != 0) refuse_a_taken_port(options);
        // Bind (not listen) to reserve the port; each worker then listens on it, on its own socket.
        tcp::endpoint endpoint{asio::ip::make_address(options.host), options.port};
        listener.socket.open(endpoint.protocol());
        listener.socket.set_option(
            asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
        listener.socket.bind(endpoint);
    } else {
        listener.socket = open_listener(listener.context, options);
    }
    options.port = listener.socket.local_endpoint().port();
    Dealer dealer;
    if (options.balance == Balance::round_robin) listener.dealer = &dealer;

    // Mapped before the workers fork, so they share one count of what computed at once, and
    // one worst loop, which any worker's /stats reports and resets for all.
    cpu_ledger();
    loop_figures();
    supervisor_handles_stop_signals();
    Supervisor supervisor(
        options.workers, [&](int ready_fd) { return start_worker(listener, options, ready_fd); },
        [](pid_t pid, int signal) { return kill(pid, signal); });
    if (!supervisor.start_all()) return 1;
    if (listener.dealer) {
        listener.socket.native_non_blocking(false);  // the dealer's thread blocks in accept
        dealer.start(listener.socket.native_handle());
    }
    announce(listener.socket.local_endpoint());
    supervisor.supervise_until_stopped();
    return 0;
}

}  // namespace lab
