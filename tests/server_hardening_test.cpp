// A server must hold up against clients and neighbours that misbehave: no spinning when file
// descriptors run out, no second server on a taken port, no connection held by a client that
// never reads, and a supervisor that never signals a process it did not start.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <thread>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "lab/modes/supervisor.hpp"
#include "lab/run/server_process.hpp"
#include "lab/run_key.hpp"
#include "support.hpp"

namespace {

// A TCP connection to 127.0.0.1:port, blocking, with an optional small receive buffer.
int connect_to(std::uint16_t port, int receive_buffer = 0) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Reads until the peer closes or `limit` passes; returns everything read.
std::string read_until_closed(int fd, std::chrono::milliseconds limit) {
    std::string text;
    auto give_up = std::chrono::steady_clock::now() + limit;
    char chunk[65536];
    while (std::chrono::steady_clock::now() < give_up) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    return text;
}

// CPU seconds (user + system) a process has used, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
    std::string text = test::read_file("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) {
            stime = std::stol(field);
            break;
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("a supervisor whose fork fails stops what it started and never signals pid -1",
          "[unit]") {
    std::vector<pid_t> signalled;
    int started = 0;
    lab::Supervisor supervisor(
        3,
        [&](int) {
            return ++started == 2 ? pid_t{-1} : pid_t{4'000'000 + started};
        },  // the 2nd fork fails
        [&](pid_t pid, int) {
            signalled.push_back(pid);
            return 0;
        });
    CHECK_FALSE(supervisor.start_all());
    CHECK(signalled == std::vector<pid_t>{4'000'001});  // the one started, and nothing else
    signalled.clear();
    supervisor.stop_all(SIGTERM);
    for (pid_t pid : signalled) CHECK(pid > 0);
}

TEST_CASE("out of file descriptors, the accept loop backs off instead of spinning", "[server]") {
    // `lab serve` raises its soft limit to the hard one, so lower both before it starts. (In the
    // sanitizer build, UBSan's own vptr check needs a file descriptor to read memory, and reports
    // a false "invalid vptr" when there is none: it must not stop this server.)
    lab::ServerProcess server(
        {"/bin/sh", "-c",
         std::string("ulimit -n 64 && UBSAN_OPTIONS=\"${UBSAN_OPTIONS:-}:halt_on_error=0\" exec ") +
             LAB_BINARY + " serve --mode async-sleep"});
    int kept = connect_to(server.port());
    REQUIRE(kept >= 0);
    std::vector<int> flood;
    for (int i = 0; i < 120; ++i)
        if (int fd = connect_to(server.port()); fd >= 0) flood.push_back(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server reaches EMFILE
    double before = cpu_seconds(server.pid());
    std::this_thread::sleep_for(std::chrono::seconds(1));
    double used = cpu_seconds(server.pid()) - before;
    CHECK(used < 0.2);  // a spinning accept loop uses a whole core: ~1.0 s in this second
    const std::string health = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    REQUIRE(write(kept, health.data(), health.size()) == static_cast<ssize_t>(health.size()));
    pollfd p{kept, POLLIN, 0};
    REQUIRE(poll(&p, 1, 3000) == 1);  // the connections it has are still served
    char reply[512];
    ssize_t n = read(kept, reply, sizeof reply);
    REQUIRE(n > 0);
    CHECK(std::string(reply, static_cast<std::size_t>(n)).find("200 OK") != std::string::npos);
    CHECK(server.log().find("accept failed") != std::string::npos);  // said once, not silently
    for (int fd : flood) close(fd);
    close(kept);
}

TEST_CASE("out of file descriptors, the live view's hub backs off instead of spinning",
          "[server]") {
    // `lab run --live` waits for its page before it starts anything: only the hub is listening.
    test::ScratchDir out;
    std::string command =
        "ulimit -n 64 && echo $$ && UBSAN_OPTIONS=\"${UBSAN_OPTIONS:-}:halt_on_error=0\" exec " +
        std::string(LAB_BINARY) + " run blocking-async --live --live-wait 30 --quiet --out " +
        out.path.string() + " 2>&1";
    FILE* lab = popen(command.c_str(), "r");
    REQUIRE(lab);
    char line[1024];
    REQUIRE(std::fgets(line, sizeof line, lab));
    const pid_t pid = std::atoi(line);
    int port = 0;
    std::string said;
    while (port == 0 && std::fgets(line, sizeof line, lab)) {
        said += line;
        if (const char* at = std::strstr(line, "http://127.0.0.1:"))
            port = std::atoi(at + std::strlen("http://127.0.0.1:"));
    }
    INFO(said);
    REQUIRE(port > 0);
    std::vector<int> flood;
    for (int i = 0; i < 120; ++i)
        if (int fd = connect_to(static_cast<std::uint16_t>(port)); fd >= 0) flood.push_back(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the hub reaches EMFILE
    double before = cpu_seconds(pid);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    double used = cpu_seconds(pid) - before;
    CHECK(used < 0.2);  // a spinning accept loop uses a whole core: ~1.0 s in this second
    for (int fd : flood) close(fd);
    kill(pid, SIGTERM);  // the process we started, by its id
    while (std::fgets(line, sizeof line, lab)) said += line;
    pclose(lab);
    CHECK(said.find("accept failed") != std::string::npos);  // said once, not silently
}

TEST_CASE("a second reuseport server on a taken port fails to start, as in every mode",
          "[server]") {
    lab::ServerProcess first(
        LAB_BINARY, {"--mode", "multi-process", "--workers", "2", "--balance", "reuseport"});
    auto port = std::to_string(first.port());
    for (std::string balance : {"reuseport", "shared"}) {
        INFO(balance);
        auto second = test::run_lab("serve --mode multi-process --workers 2 --balance " + balance +
                                    " --port " + port);
        CHECK(second.exit_code != 0);
        CHECK(second.output.find("in use") != std::string::npos);
    }
    auto other_mode = test::run_lab("serve --mode async-sleep --port " + port);
    CHECK(other_mode.exit_code != 0);
}

TEST_CASE("a client that pipelines and never reads is cut off after the idle timeout", "[server]") {
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--idle-timeout-ms", "300"});
    int fd = connect_to(server.port(), 4096);
    REQUIRE(fd >= 0);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    const std::string one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    std::string all;
    for (int i = 0; i < 100'000; ++i) all += one;
    std::size_t sent = 0;
    auto stop_sending = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (sent < all.size() && std::chrono::steady_clock::now() < stop_sending) {
        ssize_t n = write(fd, all.data() + sent, all.size() - sent);
        if (n > 0) sent += static_cast<std::size_t>(n);
        else std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::size_t requests_sent = sent / one.size();
    // Never read. A slow server (a sanitizer's build) may still be answering when the sending
    // stops: wait until its count of answers stands still (it is blocked writing to us), then
    // well past the idle timeout.
    httplib::Client watcher(server.host(), server.port());
    auto served = [&] {
        return nlohmann::json::parse(
                   watcher.Get("/stats", {{lab::run_key_header, lab::own_run_key()}})
                       ->body)["requests_served"]
            .get<long>();
    };
    for (long before = -1, now = served(); now - before > 1;
         now = served()) {  // (1: this /stats itself)
        before = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    fcntl(fd, F_SETFL, 0);
    std::string answers = read_until_closed(fd, std::chrono::seconds(10));
    close(fd);
    INFO(requests_sent << " requests sent");
    CHECK(count(answers, "HTTP/1.1 200") <
          requests_sent);  // it gave up on the client that stopped reading
    httplib::Client good(server.host(), server.port());
    auto after = good.Get("/health");
    REQUIRE(after);
    CHECK(after->status == 200);
}

TEST_CASE("lab serve writes IPv6 URLs with brackets and accepts localhost", "[server]") {
    lab::ServerProcess local(LAB_BINARY, {"--mode", "async-sleep", "--host", "localhost"});
    CHECK(local.host() == "127.0.0.1");
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 loopback{};
    loopback.sin6_family = AF_INET6;
    loopback.sin6_addr = in6addr_loopback;
    bool has_ipv6 =
        probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&loopback), sizeof loopback) == 0;
    if (probe >= 0) close(probe);
    if (!has_ipv6) {
        WARN("no IPv6 loopback on this machine: the [::1] half is skipped");
        return;
    }
    lab::ServerProcess server(LAB_BINARY, {"--mode", "async-sleep", "--host", "::1"});
    CHECK(server.host() == "::1");  // ServerProcess read "listening on http://[::1]:PORT"
    httplib::Client client("::1", server.port());
    auto health = client.Get("/health");
    REQUIRE(health);
    CHECK(health->status == 200);
}

namespace {

// This machine's first IPv4 address that is not loopback ("" when it has none).
std::string outside_address() {
    ifaddrs* all = nullptr;
    if (getifaddrs(&all) != 0) return "";
    std::string found;
    for (ifaddrs* a = all; a && found.empty(); a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || (a->ifa_flags & IFF_LOOPBACK) ||
            !(a->ifa_flags & IFF_UP) || !(a->ifa_flags & IFF_RUNNING))
            continue;
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text,
                  sizeof text);
        found = text;
    }
    freeifaddrs(all);
    return found;
}

bool answers(const std::string& host, int port, const std::string& path) {
    httplib::Client client(host, port);
    client.set_connection_timeout(std::chrono::seconds(2));
    auto res = client.Get(path);
    return res && res->status == 200;
}

}  // namespace

// In a container the host's browser and curl come in through a published port, so the server and
// the live view listen on every address, but only when told: by default, loopback alone.
TEST_CASE("the server and its live view listen beyond loopback only when asked (0.0.0.0)",
          "[server]") {
    const std::string outside = outside_address();
    for (bool everywhere : {false, true}) {
        std::vector<std::string> args{"--mode", "async-sleep", "--live"};
        if (everywhere) args.insert(args.end(), {"--host", "0.0.0.0", "--live-host", "0.0.0.0"});
        lab::ServerProcess server(LAB_BINARY, args);
        std::smatch m;
        const std::string log = server.log();
        REQUIRE(std::regex_search(
            log, m,
            std::regex(
                "live view: http://127\\.0\\.0\\.1:([0-9]+)/")));  // a URL this machine opens
        const int page = std::stoi(m[1]);
        CHECK(answers("127.0.0.1", server.port(), "/health"));
        CHECK(answers("127.0.0.1", page, "/"));
        if (outside.empty()) continue;
        INFO(outside << (everywhere ? " with 0.0.0.0" : " by default"));
        CHECK(answers(outside, server.port(), "/health") == everywhere);
        CHECK(answers(outside, page, "/") == everywhere);
    }
    if (outside.empty())
        WARN("no address but loopback on this machine: the outside half is skipped");
    for (const char* bad : {"serve --mode async-sleep --host nowhere",
                            "serve --mode async-sleep --live --live-host 1.2.3",
                            "run blocking-async --live --live-host example.org"}) {
        auto refused = test::run_lab(bad);
        CHECK(refused.exit_code == 2);
        CHECK(refused.output.find("is not an address") != std::string::npos);
    }
}
