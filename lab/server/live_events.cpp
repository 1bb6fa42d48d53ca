#include "lab/server/live_events.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace lab::live {

// A connected datagram socket; inherited by forked workers, who send on it too.
static int channel = -1;

void open_channel(const std::string& path) {
    sockaddr_un address{};
    if (path.empty() || path.size() >= sizeof address.sun_path)
        throw std::runtime_error("--events-to: no such socket: " + path);
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size());
    if (path[0] == '@') address.sun_path[0] = '\0';  // Linux's abstract name: no file to clean up
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() +
                                         (path[0] == '@' ? 0 : 1));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
        if (fd >= 0) close(fd);
        throw std::runtime_error("--events-to " + path + ": " + std::strerror(errno));
    }
    channel = fd;
}

int& current_request() {
    thread_local int request = 0;
    return request;
}

void send_mark(Mark mark, int request, std::int64_t at_us, std::string_view what) {
    if (channel < 0 || request <= 0) return;
    char datagram[256];
    // Written into the buffer on the stack, cut at its end: no allocation on a request's path.
    auto written =
        fmt::format_to_n(datagram, sizeof datagram, "{} {} {} {} {}", static_cast<char>(mark),
                         request, at_us, getpid(), what.substr(0, 160));
    // MSG_DONTWAIT: a full listener loses this mark rather than hold the server up.
    (void)send(channel, datagram, std::min(written.size, sizeof datagram),
               MSG_DONTWAIT | MSG_NOSIGNAL);
}

const char* mark_name(char kind) {
    static const char* names[] = {"arrived", "read", "start", "end", "answered"};
    auto at = std::string_view("irsea").find(kind);  // the kinds in the order of their names
    return at == std::string_view::npos ? nullptr : names[at];
}

ReceivedMark parse_mark(std::string_view d) {
    ReceivedMark m;
    if (d.size() < 7 || d[1] != ' ' || !mark_name(d[0])) return m;
    m.mark = static_cast<Mark>(d[0]);
    const char* p = d.data() + 2;
    const char* end = d.data() + d.size();
    auto number = [&](auto& out) {
        auto [next, ec] = std::from_chars(p, end, out);
        if (ec != std::errc() || next == end || *next != ' ') return false;
        p = next + 1;
        return true;
    };
    int request = 0;
    if (!number(request) || !number(m.at_us) || !number(m.pid) || request <= 0 || request > 65535)
        return m;
    m.request = request;
    m.what.assign(p, end);
    return m;
}

}  // namespace lab::live
