// A corpus of malformed and hostile requests, against every mode: each gets a 4xx or a closed
// connection, and the next good request is still answered.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "harness/raw_client.hpp"
#include "lab/run/server_process.hpp"

namespace {

struct Hostile {
    const char* what;
    std::string bytes;
    int replies = 1;  // answers to read (pipelined requests get several)
};

std::string request(const std::string& line, const std::string& headers = "Host: x\r\n",
                    const std::string& body = "") {
    return line + "\r\n" + headers + "\r\n" + body;
}

std::vector<Hostile> corpus() {
    std::string many_headers;
    for (int i = 0; i < 1000; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
    return {
        {"not HTTP at all", "GARBAGE\r\n\r\n"},
        {"method only", "GET\r\n\r\n"},
        {"no version", request("GET /")},
        {"HTTP/2.0 request line", request("GET / HTTP/2.0")},
        {"HTTP/9.9 request line", request("GET / HTTP/9.9")},
        {"HTTP/0.9 style", "GET /\r\n"},
        {"bare LF line endings", "GET / HTTP/1.1\nHost: x\n\n"},
        {"NUL in the request line", std::string("GET /\0x HTTP/1.1\r\nHost: x\r\n\r\n", 30)},
        {"header without a colon", request("GET / HTTP/1.1", "Host x\r\n")},
        {"space in a header name", request("GET / HTTP/1.1", "Ho st: x\r\n")},
        {"space inside the target", request("GET /a b HTTP/1.1")},
        {"16 KiB header",
         request("GET / HTTP/1.1", "Host: x\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n")},
        {"a thousand headers", request("GET / HTTP/1.1", "Host: x\r\n" + many_headers)},
        {"10 KiB target", request("GET /" + std::string(10 * 1024, 'a') + " HTTP/1.1")},
        {"non-numeric Content-Length",
         request("POST /delay HTTP/1.1", "Host: x\r\nContent-Length: abc\r\n")},
        {"negative Content-Length",
         request("POST /delay HTTP/1.1", "Host: x\r\nContent-Length: -1\r\n")},
        {"two different Content-Lengths",
         request("POST /delay HTTP/1.1", "Host: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
                 "ab")},
        {"body over 64 KiB",
         request("POST /delay HTTP/1.1", "Host: x\r\nContent-Length: 100000\r\n",
                 std::string(100000, 'b'))},
        {"bad chunk size",
         request("POST /delay HTTP/1.1", "Host: x\r\nTransfer-Encoding: chunked\r\n",
                 "zz\r\nhello\r\n0\r\n\r\n")},
        {"chunked body over 64 KiB",
         request("POST /delay HTTP/1.1", "Host: x\r\nTransfer-Encoding: chunked\r\n",
                 "10000\r\n" + std::string(0x10000, 'c') + "\r\n10000\r\n" +
                     std::string(0x10000, 'c') + "\r\n0\r\n\r\n")},
        {"ms not a number", request("GET /delay?ms=abc HTTP/1.1")},
        {"ms negative", request("GET /delay?ms=-1 HTTP/1.1")},
        {"ms above the bound", request("GET /delay?ms=60001 HTTP/1.1")},
        {"ms enormous", request("GET /delay?ms=99999999999999999999999 HTTP/1.1")},
        {"ms in exponent form", request("GET /delay?ms=1e3 HTTP/1.1")},
        {"ms in hex", request("GET /delay?ms=0x10 HTTP/1.1")},
        {"ms empty", request("GET /delay?ms= HTTP/1.1")},
        {"cpu above the bound", request("GET /cpu?ms=600000 HTTP/1.1")},
        {"unknown path", request("GET /nope HTTP/1.1")},
        {"bytes that are not UTF-8 in the path", request("GET /\xff\xfe HTTP/1.1")},
        {"bytes that are not UTF-8 in ms", request("GET /delay?ms=\xc3\x28 HTTP/1.1")},
        {"path traversal", request("GET /../../etc/passwd HTTP/1.1")},
        {"absolute-form target", request("GET http://elsewhere.example/ HTTP/1.1")},
        {"wrong method on /delay", request("DELETE /delay HTTP/1.1")},
        {"wrong method on /health",
         request("POST /health HTTP/1.1", "Host: x\r\nContent-Length: 0\r\n")},
        {"lower-case method", request("get / HTTP/1.1")},
        {"Transfer-Encoding that is not chunked",
         request("POST /delay?ms=1 HTTP/1.1", "Host: x\r\nTransfer-Encoding: xchunked\r\n",
                 "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")},
        {"Transfer-Encoding chunked, identity",
         request("POST /delay?ms=1 HTTP/1.1", "Host: x\r\nTransfer-Encoding: chunked, identity\r\n",
                 "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")},
        {"two Transfer-Encoding headers",
         request("POST /delay?ms=1 HTTP/1.1",
                 "Host: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                 "0\r\n\r\n")},
        {"pipelined garbage after a good request",
         request("GET /health HTTP/1.1") + "GARBAGE\r\n\r\n", 2},
    };
}

}  // namespace

TEST_CASE("every mode answers the hostile corpus with 4xx or a close, and keeps serving",
          "[server]") {
    auto mode = GENERATE(as<std::string>{}, "blocking-in-loop", "async-sleep", "thread-pool",
                         "multi-process");
    INFO("mode " << mode);
    lab::ServerProcess server(LAB_BINARY, {"--mode", mode, "--workers", "2", "--threads", "4",
                                           "--idle-timeout-ms", "300"});
    httplib::Client good(server.host(), server.port());
    auto all = corpus();
    REQUIRE(all.size() >= 30);
    for (const auto& h : all) {
        INFO(h.what);
        auto reply = lab::send_raw(server.host(), server.port(), h.bytes, std::chrono::seconds(3),
                                   h.replies);
        bool refused =
            (reply.status >= 400 && reply.status < 500) || (reply.status == 0 && reply.closed);
        CHECK(refused);
        auto after = good.Get("/health");
        REQUIRE(after);
        CHECK(after->status == 200);
    }
    // A multi-process supervisor restarts a worker that dies, which would hide a crash: its log
    // says "worker PID exited" when one did.
    CHECK(server.log().find("exited") == std::string::npos);
}

TEST_CASE("a client that sends half a header and stalls is cut off", "[server]") {
    auto mode = GENERATE(as<std::string>{}, "blocking-in-loop", "async-sleep", "thread-pool");
    INFO("mode " << mode);
    lab::ServerProcess server(LAB_BINARY, {"--mode", mode, "--idle-timeout-ms", "300"});
    auto started = std::chrono::steady_clock::now();
    auto reply = lab::send_raw(server.host(), server.port(), "GET /health HTTP/1.1\r\nHo",
                               std::chrono::seconds(5));
    auto waited = std::chrono::steady_clock::now() - started;
    CHECK(reply.status == 0);
    CHECK(reply.closed);
    CHECK(waited >= std::chrono::milliseconds(250));  // it was given its idle time
    CHECK(waited < std::chrono::seconds(3));  // and not a moment more than needed
    httplib::Client good(server.host(), server.port());
    auto after = good.Get("/health");
    REQUIRE(after);
    CHECK(after->status == 200);
}
