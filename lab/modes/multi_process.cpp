// multi-process: a supervisor forks W worker processes, each running its own event loop.
// Each worker still blocks as blocking-in-loop does, but W of them serve at once: ceil(N/W) waves.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <optional>
#include <vector>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab/modes/modes.hpp"
#include "lab/modes/waits.hpp"

namespace lab {
namespace {

volatile std::sig_atomic_t stop_signal = 0;
void remember_stop(int signal) { stop_signal = signal; }

// How the workers share the port. `shared`: all accept from one inherited socket, as gunicorn
// and uvicorn do, so whichever worker's loop is free first takes the connection. `reuseport`:
// each worker listens on a socket of its own and the kernel spreads connections by a hash.
struct Listener {
    asio::io_context context{1};
    tcp::acceptor socket{context};
    bool reuse_port = false;
};

[[noreturn]] void run_worker(Listener& listener, ServeOptions options, int ready_fd, pid_t supervisor) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // a worker never outlives its supervisor,
    if (getppid() != supervisor) _exit(1);  // even one that died before the line above
    std::signal(SIGINT, SIG_DFL);      // and stops when told to (fork copied the supervisor's handlers)
    std::signal(SIGTERM, SIG_DFL);
    listener.context.notify_fork(asio::execution_context::fork_child);
    std::optional<tcp::acceptor> own;
    if (listener.reuse_port) own.emplace(open_listener(listener.context, options, true));
    serve(own ? *own : listener.socket, loop_handlers(options.worker_mode), options);
    if (ready_fd >= 0 && (write(ready_fd, "r", 1) != 1 || close(ready_fd) != 0)) _exit(1);  // "listening"
    listener.context.run();
    _exit(0);
}

pid_t start_worker(Listener& listener, const ServeOptions& options, int ready_fd) {
    listener.context.notify_fork(asio::execution_context::fork_prepare);
    pid_t supervisor = getpid();
    pid_t pid = fork();
    if (pid == 0) run_worker(listener, options, ready_fd, supervisor);
    listener.context.notify_fork(asio::execution_context::fork_parent);
    return pid;
}

}  // namespace

// The model: W workers, each as its --worker-mode predicts: W blocked loops make ceil(N/W)
// waves of d, W awaiting loops overlap everything (d). CPU work runs on at most min(W, cores).
Model multi_process_model(const ServerShape& shape) {
    if (shape.cpu_work)
        return {std::min(shape.workers, shape.cores), 0, 0, "ceil(N/min(W,cores))·c, cores=" + std::to_string(shape.cores)};
    const ModeInfo* worker = find_mode(shape.worker_mode);
    Model each = worker && worker->model ? worker->model(shape) : Model{1, 0, 0, ""};
    if (each.at_once == 0) return {0, 0, 0, "d"};
    return {each.at_once * shape.workers, 0, 0, "ceil(N/W)·d, W=" + std::to_string(shape.workers)};
}

int serve_multi_process(const ServeOptions& requested) {
    ServeOptions options = requested;
    Listener listener;
    listener.reuse_port = options.balance == "reuseport";
    if (listener.reuse_port) {
        // Bind (not listen) to reserve the port; each worker then listens on it with its own socket.
        tcp::endpoint endpoint{asio::ip::make_address(options.host), options.port};
        listener.socket.open(endpoint.protocol());
        listener.socket.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
        listener.socket.bind(endpoint);
    } else {
        listener.socket = open_listener(listener.context, options);
    }
    options.port = listener.socket.local_endpoint().port();

    struct sigaction on_stop {};
    on_stop.sa_handler = remember_stop;  // no SA_RESTART: waitpid below returns to check the flag
    sigaction(SIGINT, &on_stop, nullptr);
    sigaction(SIGTERM, &on_stop, nullptr);

    int ready[2];
    if (pipe(ready) != 0) return 1;
    std::vector<pid_t> workers;
    for (int i = 0; i < options.workers; ++i) workers.push_back(start_worker(listener, options, ready[1]));
    close(ready[1]);
    char byte;
    int ready_workers = 0;
    while (ready_workers < options.workers && !stop_signal)  // (a stop interrupts the read)
        if (read(ready[0], &byte, 1) == 1) ++ready_workers;
        else if (errno != EINTR) break;  // a worker died before it listened
    close(ready[0]);
    const bool started = ready_workers == options.workers;
    if (started && !stop_signal) announce(listener.socket.local_endpoint());
    else if (!stop_signal) stop_signal = SIGTERM;  // could not start: stop those that did

    while (!stop_signal) {
        int status = 0;
        pid_t dead = waitpid(-1, &status, 0);
        if (dead <= 0) continue;
        for (pid_t& pid : workers) {
            if (pid != dead) continue;
            pid = start_worker(listener, options, -1);
            std::fprintf(stderr, "worker %d exited (%s %d); started worker %d\n", dead,
                         WIFSIGNALED(status) ? "signal" : "status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), pid);
        }
    }
    for (pid_t pid : workers) kill(pid, stop_signal);
    alarm(3);  // a worker that ignores the request is killed with the supervisor (PDEATHSIG)
    while (waitpid(-1, nullptr, 0) > 0) {
    }
    return started ? 0 : 1;
}

}  // namespace lab
