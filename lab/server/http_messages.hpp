#pragma once
// The server's HTTP messages and limits, shared by the server and the fuzz target so that what
// is fuzzed is what is served.
#include <cstddef>
#include <string>

#include "lab/asio.hpp"

namespace lab {

inline constexpr std::size_t header_limit = 8 * 1024;  // request line and headers: 431 past it
inline constexpr std::size_t body_limit = 64 * 1024;   // body: 413 past it

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

inline Response json_response(unsigned version, http::status status, std::string body) {
    Response res{status, version};
    res.set(http::field::server, "concurrency-lab");
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// Why a request could not be read, as the status the client gets before the server closes.
inline http::status read_failure_status(const beast::error_code& ec) {
    return ec == http::error::header_limit ? http::status::request_header_fields_too_large
         : ec == http::error::body_limit   ? http::status::payload_too_large
                                           : http::status::bad_request;
}

}  // namespace lab
