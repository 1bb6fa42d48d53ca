#pragma once
// The server's HTTP messages, their limits, and what it answers to one request, decided without
// any I/O. The session in http_server.cpp only reads, awaits the work and writes; everything it
// says comes from here, and the fuzz target (tests/fuzz/) calls these very functions, so what is
// fuzzed is what runs.
#include <cstddef>
#include <optional>
#include <string>

#include "lab/asio.hpp"
#include "lab/server/routes.hpp"
#include "lab/server/service_record.hpp"

namespace lab {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The parser of one request, with the server's limits, set here once: the server reads with it
// and the fuzz target parses with it, so that what is fuzzed is what is served.
struct RequestParser : http::request_parser<http::string_body> {
    // Request line and headers: 431 past it
    static constexpr std::size_t most_header_bytes = 8 * 1024;
    static constexpr std::size_t most_body_bytes = 64 * 1024;  // body: 413 past it
    RequestParser() {
        header_limit(most_header_bytes);
        body_limit(most_body_bytes);
    }
};

inline Response json_response(unsigned version, http::status status, std::string body) {
    Response res{status, version};
    res.set(http::field::server, "concurrency-lab");
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// A request that could not be read: why, as the status the client gets before the server closes.
Response unreadable(const beast::error_code& ec);

// A request that was read but must not be served, answered with a 400 before the server closes
// (the byte stream after it cannot be trusted): an HTTP version other than 1.0 and 1.1, or a
// Transfer-Encoding other than exactly "chunked" (anything else would leave the body to be
// read as the next request).
std::optional<Response> refused(const Request& req);

// The answer that needs no work: /, /health, /stats and every 4xx of route().
Response answer_now(const Request& req, const Route& route);

// The 202 of a background task (route.background): sent before its work runs.
Response accepted(const Request& req, const Route& route, long id);

// The answer once the work route() asked (delay, cpu, db, user, fetch, cache) was done as `served`.
Response answer_after(const Request& req, const Route& route, const ServiceRecord& served);

}  // namespace lab
