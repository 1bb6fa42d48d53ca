#pragma once
// The server's live channel (`lab serve --events-to PATH`, which `lab run --live` and `lab serve
// --live` pass): the moment a request's bytes arrived (if they waited), the loop reads it, its
// work starts and ends, and its answer is written, each sent at once as one datagram to a unix
// socket, so a live page can turn a bar from "waiting" to "being served" while the request runs.
// Sending never waits: a datagram the listener has no room for is dropped (the picture loses a
// mark), the server is never slowed.
#include <cstdint>
#include <string>
#include <string_view>

namespace lab::live {

// Connects the channel to the listener's socket (a path, or "@name" for an abstract name, which
// leaves no file behind however the listener ends); throws std::runtime_error if it cannot.
void open_channel(const std::string& path);

// Which request the calling thread works for: its client's port (the client knows its own
// port, so it can tie these marks to the requests it sent). Set where a request starts, and
// carried to a pool thread by whoever hands the work over.
int& current_request();

// `arrived`: when a request's bytes reached the socket, sent (before its `read`) only when they
// waited there, e.g. behind a blocked loop (read_request, lab/server/http_server.cpp).
enum class Mark : char { arrived = 'i', read = 'r', started = 's', ended = 'e', answered = 'a' };
// Its name on the live page: "arrived", "read", "start", "end", "answered" (nullptr: no mark).
const char* mark_name(char kind);

// One mark: "s 53124 8812345678 4242 /delay?ms=100" (kind, client port, monotonic µs, pid, what).
void send_mark(Mark mark, int request, std::int64_t at_us, std::string_view what = {});

// What a listener reads back from one datagram (nullopt-like: port 0 when it is not a mark).
struct ReceivedMark {
    Mark mark = Mark::read;
    int request = 0;
    std::int64_t at_us = 0;
    long pid = 0;
    std::string what;
};
ReceivedMark parse_mark(std::string_view datagram);

}  // namespace lab::live
