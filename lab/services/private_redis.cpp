#include "lab/services/private_redis.hpp"

#include <csignal>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace lab {
namespace {

// Whether a Redis answers PING on the unix socket at `path` (plain POSIX: one line each way).
bool answers_ping(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return false;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool pong = false;
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        write(fd, "PING\r\n", 6) == 6) {
        pollfd p{fd, POLLIN, 0};
        char reply[16] = {};
        pong = poll(&p, 1, 1000) > 0 && read(fd, reply, sizeof reply - 1) >= 5 && std::strncmp(reply, "+PONG", 5) == 0;
    }
    if (fd >= 0) close(fd);
    return pong;
}

}  // namespace

PrivateRedis::PrivateRedis() {
    kept_ = std::make_unique<KeptService>("redis", [&](const std::filesystem::path& folder) {
        std::string socket = (folder / "redis.sock").string();
        url_ = "unix://" + socket;
        ServiceSpec spec;
        spec.name = "Redis";
        spec.missing = "Redis is not installed: apt-get install redis-server";
        spec.command = {"/usr/bin/redis-server", "--port", "0", "--unixsocket", socket, "--unixsocketperm", "700",
                        "--save", "", "--appendonly", "no", "--dir", folder.string(), "--daemonize", "no",
                        // Redis checks blocked clients' timeouts as often as its event loop ticks, 10
                        // times a second by default: a BLPOP of 100 ms could take 200. 100 ticks a second.
                        "--hz", "100"};
        spec.ready = [socket] { return answers_ping(socket); };
        spec.polite_signal = SIGTERM;
        return spec;
    });
}

PrivateRedis::~PrivateRedis() = default;  // kept_ goes: the keeper stops it, deletes the folder

}  // namespace lab
