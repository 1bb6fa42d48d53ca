#pragma once
// A stand-in HTTP server for tests of the client side: it answers every request with the same
// bytes, and keeps what it received, so a test can see what a client really sent.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace test {

// A server on 127.0.0.1 that answers every request with `answer` (bytes as they are), on as
// many keep-alive connections as come, until it is destroyed.
class CannedServer {
public:
    explicit CannedServer(std::string answer) : answer_(std::move(answer)) {
        listener_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        listen(listener_, 64);
        socklen_t length = sizeof address;
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~CannedServer() {
        stop_ = true;
        thread_.join();
        close(listener_);
    }
    std::uint16_t port() const { return port_; }
    // Every byte received so far, all connections together, and how many connections came.
    std::string received() const {
        std::lock_guard lock(received_mutex_);
        return received_;
    }
    int connections() const { return connections_; }

private:
    void serve() {
        std::vector<pollfd> fds{{listener_, POLLIN, 0}};
        std::vector<std::string> pending(1);
        while (!stop_) {
            if (poll(fds.data(), fds.size(), 50) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                fds.push_back({accept(listener_, nullptr, nullptr), POLLIN, 0});
                ++connections_;
                pending.emplace_back();
            }
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
                char chunk[4096];
                ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
                if (n <= 0) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    continue;
                }
                pending[i].append(chunk, static_cast<std::size_t>(n));
                {
                    std::lock_guard lock(received_mutex_);
                    received_.append(chunk, static_cast<std::size_t>(n));
                }
                for (auto end = pending[i].find("\r\n\r\n"); end != std::string::npos;
                     end = pending[i].find("\r\n\r\n")) {
                    pending[i].erase(0, end + 4);
                    if (send(fds[i].fd, answer_.data(), answer_.size(), MSG_NOSIGNAL) < 0)
                        break;  // (a client gone: no SIGPIPE)
                }
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i)
            if (fds[i].fd >= 0) close(fds[i].fd);
    }
    std::string answer_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex received_mutex_;
    std::string received_;
    std::thread thread_;
};

}  // namespace test
