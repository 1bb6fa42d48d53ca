#include "lab/modes/dealer.hpp"

#include <cerrno>
#include <csignal>
#include <thread>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/server/handoff.hpp"

namespace lab {

void Dealer::add(pid_t worker, int channel) {
    std::lock_guard lock(mutex_);
    workers_.push_back({worker, channel});
}

// Gives the connection to the next worker; a worker that is gone leaves the deck, and one whose
// queue is full (its loop is stuck) is passed over. The connection stays ours until one took it.
void Dealer::deal(int connection) {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            for (std::size_t tries = workers_.size(); tries > 0 && !workers_.empty(); --tries) {
                std::size_t i = next_++ % workers_.size();
                Handed handed = send_descriptor(workers_[i].channel, connection);
                if (handed == Handed::sent) {
                    close(connection);  // the worker has its own descriptor for it now
                    return;
                }
                if (handed == Handed::gone) {
                    close(workers_[i].channel);
                    workers_.erase(workers_.begin() + static_cast<std::ptrdiff_t>(i));
                }
            }
        }
        // Every worker busy or gone (a new one is being started): try again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void Dealer::start(int listening) {
    // The supervisor's stop signals must reach its main thread, which waits for them in waitpid:
    // the dealer's thread is started with them blocked (a new thread inherits the mask).
    sigset_t stops, before;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stops, &before);
    std::thread([this, listening] {
        for (;;) {
            int connection = accept4(listening, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0) {
                // Out of descriptors or memory: wait as accept_next does.
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                continue;
            }
            int on = 1;
            setsockopt(connection, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            deal(connection);
        }
    }).detach();  // ends with the supervisor: exit() does not wait for it
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

}  // namespace lab
