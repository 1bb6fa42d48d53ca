// The live view's hub against what a room, a neighbour or another local process may send it:
// guesses one per sender, in JSON, from the lab's own page only; marks from the lab's own
// processes only; and a client holding connections never costs the run its measurements.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "harness/raw_client.hpp"
#include "lab/live/live_hub.hpp"
#include "lab/live/mark_senders.hpp"
#include "support.hpp"

namespace {

using nlohmann::json;

std::uint16_t port_of(const lab::LiveHub& hub) {
    return static_cast<std::uint16_t>(std::stoi(hub.url().substr(hub.url().rfind(':') + 1)));
}

// A sender's token, as the guess form's page gets it: the cookie the form's words come with.
std::string sender_cookie(httplib::Client& room) {
    auto form = room.Get("/guess/form");
    REQUIRE(form);
    REQUIRE(form->status == 200);
    std::string cookie = form->get_header_value("Set-Cookie");
    REQUIRE(cookie.rfind("lab_guess=", 0) == 0);
    return cookie.substr(0, cookie.find(';'));
}

httplib::Result post_guess(httplib::Client& room, const std::string& body, httplib::Headers headers,
                           const char* type = "application/json") {
    return room.Post("/guess", headers, body, type);
}

// A TCP connection to the hub that sent `bytes` and is then held, never read.
int held_connection(std::uint16_t port, const std::string& bytes) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    return fd;
}

// Sends one datagram to the marks socket the hub names (a path in its folder).
void send_datagram(const std::string& marks_path, const std::string& datagram) {
    sockaddr_un to{};
    to.sun_family = AF_UNIX;
    std::memcpy(to.sun_path, marks_path.data(), marks_path.size());
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    (void)sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
    close(fd);
}

// The same from a process that is not the lab's: a grandchild whose parent has gone, so that
// it is no descendant of this one, as any other program on the machine is not.
void send_datagram_from_a_stranger(const std::string& marks_path, const std::string& datagram) {
    int done[2];
    REQUIRE(pipe(done) == 0);
    pid_t child = fork();
    if (child == 0) {
        const pid_t parent = getpid();
        if (fork() == 0) {
            while (getppid() == parent) usleep(1000);  // until it is another's child
            send_datagram(marks_path, datagram);
            (void)write(done[1], "x", 1);
            _exit(0);
        }
        _exit(0);
    }
    close(done[1]);
    waitpid(child, nullptr, 0);
    char x;
    REQUIRE(read(done[0], &x, 1) == 1);
    close(done[0]);
}

// What /events has streamed once `wanted` shows up in it, or after 5 s.
std::string events_until(std::uint16_t port, const std::string& wanted) {
    int fd = held_connection(port, "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    REQUIRE(fd >= 0);
    std::string text;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (text.find(wanted) == std::string::npos && std::chrono::steady_clock::now() < give_up) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    close(fd);
    return text;
}

}  // namespace

TEST_CASE("the guess box takes one guess per sender: a re-send replaces it", "[unit][hostile]") {
    lab::LiveHub hub;
    hub.open_guesses({"t", "q", "s", {"a", "b"}});
    httplib::Client room("127.0.0.1", port_of(hub));
    const std::string alice = sender_cookie(room), bob = sender_cookie(room);
    CHECK(alice != bob);
    CHECK(post_guess(room, R"({"guesses": ["1", "2"]})", {{"Cookie", alice}})->status == 200);
    CHECK(post_guess(room, R"({"guesses": ["3", ""]})", {{"Cookie", bob}})->status == 200);
    for (int i = 0; i < 5; ++i)
        CHECK(post_guess(room, R"({"guesses": ["0.5", "0.5"]})", {{"Cookie", alice}})->status ==
              200);
    CHECK(hub.guesses_so_far() == 2);
    // Without the form's token, or with one it never gave: refused, nothing kept.
    CHECK(post_guess(room, R"({"guesses": ["9", "9"]})", {})->status == 400);
    CHECK(post_guess(room, R"({"guesses": ["9", "9"]})",
                     {{"Cookie", "lab_guess=0123456789abcdef0123456789abcdef"}})
              ->status == 400);
    CHECK(hub.close_guesses() == std::vector<std::vector<double>>{{0.5, 3}, {0.5}});
}

TEST_CASE("the guess box takes JSON only, from its own page only, and answers a large body 413",
          "[unit][hostile]") {
    lab::LiveHub hub;
    hub.open_guesses({"t", "q", "s", {"a"}});
    const std::uint16_t port = port_of(hub);
    httplib::Client room("127.0.0.1", port);
    const std::string me = sender_cookie(room);
    const std::string guess = R"({"guesses": ["1"]})";
    CHECK(post_guess(room, guess, {{"Cookie", me}}, "text/plain")->status == 415);
    CHECK(post_guess(room, "guesses=1", {{"Cookie", me}}, "application/x-www-form-urlencoded")
              ->status == 415);
    CHECK(post_guess(room, guess, {{"Cookie", me}}, "multipart/form-data; boundary=x")->status ==
          415);
    // A page elsewhere that the teacher has open, and one that renamed itself to this address.
    CHECK(post_guess(room, guess, {{"Cookie", me}, {"Origin", "http://evil.example"}})->status ==
          403);
    CHECK(post_guess(room, guess, {{"Cookie", me}, {"Origin", "null"}})->status == 403);
    CHECK(post_guess(room, guess,
                     {{"Cookie", me},
                      {"Origin", "http://evil.example:" + std::to_string(port)},
                      {"Host", "evil.example:" + std::to_string(port)}})
              ->status == 403);
    CHECK(hub.guesses_so_far() == 0);
    CHECK(post_guess(room, guess,
                     {{"Cookie", me}, {"Origin", "http://127.0.0.1:" + std::to_string(port)}},
                     "application/json; charset=utf-8")
              ->status == 200);
    // Over 4 KiB: an answer that says so, declared or chunked, never a reset.
    const std::string big = R"({"guesses": [")" + std::string(5000, '1') + R"("]})";
    lab::RawReply declared = lab::send_raw(
        "127.0.0.1", port,
        "POST /guess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
            ("Cookie: " + me) + "\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" +
            big);
    INFO(declared.error);
    CHECK(declared.status == 413);
    lab::RawReply chunked = lab::send_raw(
        "127.0.0.1", port,
        "POST /guess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n1388\r\n" +
            std::string(5000, ' ') + "\r\n0\r\n\r\n");
    CHECK(chunked.status == 413);
    CHECK(hub.guesses_so_far() == 1);
}

// Issue 55: a form was handed to a page elsewhere. Issue 67: the 5th browser behind one address (a
// classroom's NAT) was refused; a client asking for forms in a loop now costs only unsent forms.
TEST_CASE("a guess form goes to the lab's own page only, and to every browser of one address",
          "[unit][hostile]") {
    lab::LiveHub hub;
    hub.open_guesses({"t", "q", "s", {"a"}});
    httplib::Client room("127.0.0.1", port_of(hub));
    CHECK(room.Get("/guess/form", {{"Origin", "http://evil.example"}})->status == 403);
    for (int i = 0; i < 30; ++i)  // a class of 30 behind one address
        CHECK(post_guess(room, R"({"guesses": ["0.001"]})", {{"Cookie", sender_cookie(room)}})
                  ->status == 200);
    CHECK(hub.guesses_so_far() == 30);
    lab::GuessBox box({"t", "q", "s", {"a"}});  // a form kept, then forms asked for in a loop
    std::string student;
    REQUIRE(box.form(student).status == 200);
    REQUIRE(box.take(R"({"guesses": ["0.5"]})", student).status == 200);
    for (std::size_t i = 0; i < 8 * lab::most_room_guesses; ++i) {  // twice the forms kept unsent
        std::string sender;
        CHECK(box.form(sender).status == 200);
    }
    CHECK(box.count() == 1);  // the guess sent stays, and its sender may still change it
    CHECK(box.take(R"({"guesses": ["0.2"]})", student).status == 200);
    CHECK(box.by_configuration()[0] == std::vector<double>{0.2});
}

// Issue 55: one client holding 64 idle connections locked the live page out (503 for 14 of 15 s).
TEST_CASE("connections held idle do not lock the live page out", "[unit][hostile]") {
    lab::LiveHub hub;
    const std::uint16_t port = port_of(hub);
    std::vector<int> held;  // each connected, never sending a byte
    for (int i = 0; i < lab::live_connections_at_most; ++i)
        held.push_back(held_connection(port, ""));
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    for (int i = 0; i < 5; ++i)
        CHECK(lab::send_raw("127.0.0.1", port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
    for (int fd : held)
        if (fd >= 0) close(fd);
}

TEST_CASE("a mark from a process that is not the lab's is not published", "[unit][hostile]") {
    lab::LiveHub hub;  // as `lab serve --live` has it: marks about requests known by their port
    send_datagram_from_a_stranger(hub.marks_path(), "s 40001 1000 1 /forged");
    send_datagram(hub.marks_path(), "s 40002 1000 1 /genuine");  // this process is the lab's own
    std::string events = events_until(port_of(hub), "40002");
    INFO(events);
    CHECK(events.find("40002") != std::string::npos);
    CHECK(events.find("40001") == std::string::npos);
}

// Issue 68: 64 `/events` streams (one client's, or 64 viewers') made the page and the form answer
// 503 to everyone else, for as long as they were held.
TEST_CASE("event streams held open do not lock the page or the form out: the oldest goes",
          "[unit][hostile]") {
    lab::LiveHub hub;
    hub.open_guesses({"t", "q", "s", {"a", "b"}});
    const std::uint16_t port = port_of(hub);
    std::vector<int> held;
    for (int i = 0; i < lab::live_connections_at_most; ++i)
        held.push_back(held_connection(port, "GET /events HTTP/1.1\r\n\r\n"));
    char byte;  // (the newest stream has its header: every one is streaming)
    CHECK(
        test::eventually([&] { return recv(held.back(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0; }));
    for (const char* page : {"/", "/guess/form", "/", "/guess/form"})
        CHECK(lab::send_raw("127.0.0.1", port,
                            std::string("GET ") + page + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                  .status == 200);
    // the oldest stream was closed to let them in (its header read first)
    while (recv(held.front(), &byte, 1, MSG_DONTWAIT) > 0) continue;
    CHECK(test::eventually([&] { return recv(held.front(), &byte, 1, MSG_DONTWAIT) == 0; }));
    for (int fd : held) close(fd);
}

TEST_CASE("the hub refuses connections past its cap with 503, and serves again once they go",
          "[unit][hostile]") {
    lab::LiveHub hub;
    const std::uint16_t port = port_of(hub);
    std::vector<int> held;  // idle under half a second: none may be closed for a newcomer yet
    for (int i = 0; i < lab::live_connections_at_most; ++i)
        held.push_back(held_connection(port, ""));
    CHECK(lab::send_raw("127.0.0.1", port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").status == 503);
    for (int fd : held) close(fd);
    CHECK(test::eventually([&] {
        return lab::send_raw("127.0.0.1", port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").status == 200;
    }));
}

// The issue's attack: a client holds hundreds of connections to the live port while the lab runs
// under `ulimit -n 256`; the run's rows are still measured and its results written.
TEST_CASE("a client holding many live-view connections costs the run nothing",
          "[e2e][hostile][untimed]") {
    test::ScratchDir out;
    int from_lab[2];
    REQUIRE(pipe(from_lab) == 0);
    pid_t lab = fork();
    if (lab == 0) {
        rlimit few{256, 256};
        setrlimit(RLIMIT_NOFILE, &few);
        dup2(from_lab[1], 1);
        dup2(from_lab[1], 2);
        close(from_lab[0]);
        close(from_lab[1]);
        execl(LAB_BINARY, LAB_BINARY, "run", "blocking-async", "--live", "--live-wait", "3",
              "--delay", "20", "--repeat", "1", "--out", out.path.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    close(from_lab[1]);
    FILE* said = fdopen(from_lab[0], "r");
    std::string text;
    const std::string port =
        test::read_until(said, "live view: http://127\\.0\\.0\\.1:([0-9]+)/", text);
    REQUIRE_FALSE(port.empty());
    std::vector<int> held;  // each an /events stream, never read: the hub would keep it to the end
    for (int i = 0; i < 400; ++i)
        held.push_back(held_connection(static_cast<std::uint16_t>(std::stoi(port)),
                                       "GET /events HTTP/1.1\r\n\r\n"));
    test::read_until(said, "(?!)", text);  // (to its end)
    fclose(said);
    int status = 0;
    waitpid(lab, &status, 0);
    for (int fd : held)
        if (fd >= 0) close(fd);
    INFO(text);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(text.find("did not run") == std::string::npos);
    std::filesystem::path folder;
    for (const auto& entry : std::filesystem::directory_iterator(out.path / "blocking-async"))
        folder = entry.path();
    REQUIRE_FALSE(folder.empty());
    json summary = json::parse(test::read_file(folder / "summary.json"));
    REQUIRE(summary["configurations"].size() == 2);
    for (const json& row : summary["configurations"]) CHECK(row.value("error", "") == "");
    CHECK(std::filesystem::exists(folder / "requests.csv"));
}

// The sweep of marks folders a killed `lab` left: this user's own only (owner, mode 0700, the
// socket), never another user's folder nor what a link points to (issue 68: run as root, it
// deleted another user's folder and their file in it).
TEST_CASE("the live view's sweep removes only marks folders this user's lab left",
          "[unit][hostile]") {
    const pid_t gone = fork();
    if (gone == 0) _exit(0);
    waitpid(gone, nullptr, 0);  // (a pid no process has now)
    const std::string stem = "/tmp/lab-live-" + std::to_string(gone) + "-";
    auto made = [&](const std::string& tail, std::initializer_list<const char*> files) {
        const std::filesystem::path folder = stem + tail;
        std::filesystem::create_directory(folder);
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all);
        for (const char* file : files) std::ofstream(folder / file) << "x";
        return folder;
    };
    const auto mine = made("mine00", {"marks"});
    const auto more = made("more00", {"marks", "notes.txt"});
    const auto theirs = made("their0", {"marks", "theirs.txt"});
    const bool chowned = chown(theirs.c_str(), 65534, 65534) == 0;  // (root only)
    test::ScratchDir target;
    std::ofstream(target.path / "kept.txt") << "x";
    const std::filesystem::path link = stem + "link00";
    std::filesystem::create_directory_symlink(target.path, link);
    const std::string folder = lab::live::private_marks_folder();
    std::filesystem::remove_all(folder);
    CHECK_FALSE(std::filesystem::exists(mine));
    CHECK(std::filesystem::exists(more / "notes.txt"));
    CHECK(std::filesystem::exists(target.path / "kept.txt"));
    if (chowned) CHECK(std::filesystem::exists(theirs / "theirs.txt"));
    for (const auto& left : {more, theirs, link}) std::filesystem::remove_all(left);
}
