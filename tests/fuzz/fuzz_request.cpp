// libFuzzer target over the server's request-handling path, without sockets:
//
//   bytes -> lab::RequestParser (the server's own parser and limits, lab/server/answer.hpp)
//         -> lab::refused / lab::route / lab::answer_now / lab::answer_after
//         (lab/server/answer.hpp),
//            the very functions the server's session calls
//         -> the response, serialized as the server would write it.
//
// Like the server's session loop, it reads request after request from the same bytes
// (pipelining, leftovers kept in the buffer), and a malformed request ends the "connection"
// with error_body(status, reason). The server catches no exceptions, so an exception escaping
// any of these is a crash here too (in the server it silently drops the connection).
//
// Build:  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DLAB_FUZZ=ON
//         cmake --build build-fuzz --target lab_fuzz_request
// Run:    build-fuzz/tests/fuzz/lab_fuzz_request -max_total_time=60 tests/fuzz/corpus
//         (give it a scratch folder first, e.g. `mkdir -p /tmp/fz && ... /tmp/fz
//         tests/fuzz/corpus`,
//          to keep new inputs out of the committed seed corpus)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "lab/asio.hpp"
#include "lab/server/answer.hpp"
#include "lab/server/routes.hpp"
#include "lab/server/service_record.hpp"

namespace {

constexpr int max_requests_per_input = 16;

using lab::Request;
using lab::Response;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "lab_fuzz_request: invariant broken: %s\n", what);
    std::abort();
}

void serialize(const Response& res) {
    std::ostringstream out;
    out << res;  // Beast's serializer, as http::async_write would run it
    if (out.str().empty()) fail("empty serialized response");
}

// The server's answer to one parsed request (lab/server/answer.hpp), with its invariants checked.
void respond(const Request& req) {
    lab::Route r =
        lab::route(std::string_view(req.method_string().data(), req.method_string().size()),
                   std::string_view(req.target().data(), req.target().size()));
    Response res;
    if (r.kind == lab::Route::Kind::delay || r.kind == lab::Route::Kind::cpu ||
        r.kind == lab::Route::Kind::db || r.kind == lab::Route::Kind::fetch ||
        r.kind == lab::Route::Kind::cache || r.kind == lab::Route::Kind::user) {
        // What route() lets through must be within the documented bounds.
        if (r.amount < lab::Micros{0} || r.amount > std::chrono::milliseconds(lab::max_delay_ms))
            fail("delay/cpu/db amount out of 0..60000 ms");
        if ((r.kind == lab::Route::Kind::user) != (r.user_id != 0))
            fail("a user id outside /users/{id}");
        if (r.user_id < 0 || r.user_id > lab::max_user_id) fail("user id out of 1..max_user_id");
        if (r.background && r.kind != lab::Route::Kind::delay && r.kind != lab::Route::Kind::cpu)
            fail("a background task that neither waits nor computes");
        // A background task is answered 202 before its work; any other, after it.
        res = r.background ? lab::accepted(req, r, 1)
                           : lab::answer_after(req, r, lab::ServiceRecord{});
    } else {
        if (r.kind == lab::Route::Kind::error) {
            if (r.status != 400 && r.status != 404 && r.status != 405)
                fail("error status not 400/404/405");
            if ((r.status == 405) != !r.allow.empty()) fail("Allow set if and only if 405");
            if (r.error_body.empty()) fail("error without a body");
        }
        res = lab::answer_now(req, r);
    }
    res.keep_alive(req.keep_alive());
    serialize(res);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    for (int n = 0; n < max_requests_per_input && !input.empty(); ++n) {
        lab::RequestParser parser;  // with the server's limits
        beast::error_code ec;
        // Feed what is left, as http::async_read does with its buffer, until a whole request.
        while (!input.empty() && !parser.is_done()) {
            std::size_t used = parser.put(asio::buffer(input.data(), input.size()), ec);
            if (used > input.size()) fail("parser consumed more than it was given");
            input.remove_prefix(used);
            if (used == 0 && !ec) break;  // no progress: treat the rest as not yet arrived
            if (ec == http::error::need_more) {
                if (used == 0) break;  // the rest is not a whole request: the peer would send more
                ec = {};
                continue;
            }
            if (ec) break;
        }
        if (ec == http::error::need_more || (!ec && !parser.is_done())) {  // the peer closes here
            if (!parser.got_some()) return 0;  // between requests: end_of_stream, nothing to answer
            parser.put_eof(ec);  // as http::async_read does on EOF
        }
        if (ec) {  // malformed: the server says why, then closes
            serialize(lab::unreadable(ec));
            return 0;
        }
        if (!parser.is_done()) return 0;
        Request req = parser.release();
        if (auto refusal = lab::refused(req)) {  // the server answers 400 and closes
            serialize(*refusal);
            return 0;
        }
        respond(req);
        if (!req.keep_alive()) return 0;
    }
    return 0;
}
