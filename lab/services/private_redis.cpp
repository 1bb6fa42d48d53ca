#include "lab/services/private_redis.hpp"

#include <cstring>
#include <stdexcept>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace lab {
namespace {

// Whether a Redis on the unix socket at `path` answers `command` with a line beginning `reply`
// (plain POSIX: one line each way).
bool answers(const std::string& path, const char* command, const char* reply) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return false;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool answered = false;
    if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        write(fd, command, std::strlen(command)) == static_cast<ssize_t>(std::strlen(command))) {
        pollfd p{fd, POLLIN, 0};
        char line[16] = {};
        std::size_t length = std::strlen(reply);
        answered = poll(&p, 1, 1000) > 0 &&
                   read(fd, line, sizeof line - 1) >= static_cast<ssize_t>(length) &&
                   std::strncmp(line, reply, length) == 0;
    }
    if (fd >= 0) close(fd);
    return answered;
}

// Where the Redis in `folder` listens.
std::string socket_in(const std::filesystem::path& folder) {
    return (folder / "redis.sock").string();
}

ServiceSpec redis_spec(const std::filesystem::path& folder) {
    std::string socket = socket_in(folder);
    return {.name = "Redis",
            .missing = "Redis is not installed: apt-get install redis-server",
            .command = {"/usr/bin/redis-server", "--port", "0", "--unixsocket", socket,
                        "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir",
                        folder.string(), "--daemonize", "no",
                        // Redis checks blocked clients' timeouts each time its loop ticks (10 a
                        // second by default: a BLPOP of 100 ms could take 200): 100 ticks a second.
                        "--hz", "100"},
            .ready = [socket] { return answers(socket, "PING\r\n", "+PONG"); }};
}

}  // namespace

PrivateRedis::PrivateRedis()
    : KeptService("redis", redis_spec), url_("unix://" + socket_in(folder())) {}

void PrivateRedis::flush() const {
    if (!answers(socket_in(folder()), "FLUSHALL\r\n", "+OK"))
        throw std::runtime_error("the lab's own Redis, in " + folder().string() +
                                 ", did not flush its keys");
}

}  // namespace lab
