#include "lab/server/answer.hpp"

#include "lab/compute/gil.hpp"
#include "lab/run_key.hpp"

namespace lab {

Response unreadable(const beast::error_code& ec) {
    http::status status = ec == http::error::header_limit
                              ? http::status::request_header_fields_too_large
                          : ec == http::error::body_limit ? http::status::payload_too_large
                                                          : http::status::bad_request;
    Response res = json_response(11, status, error_body(static_cast<int>(status), ec.message()));
    res.keep_alive(false);
    return res;
}

std::optional<Response> refused(const Request& req) {
    std::string_view why;
    if (req.version() != 10 && req.version() != 11)
        why = "only HTTP/1.0 and HTTP/1.1";  // Beast parses any d.d
    std::size_t codings = req.count(http::field::transfer_encoding);
    if (codings > 1 ||
        (codings == 1 && !beast::iequals(req[http::field::transfer_encoding], "chunked")))
        why = "Transfer-Encoding must be exactly 'chunked'";
    if (why.empty()) return std::nullopt;
    Response res = json_response(11, http::status::bad_request, error_body(400, why));
    res.keep_alive(false);
    return res;
}

Response answer_now(const Request& req, const Route& r) {
    Gil::Hold hold(process_gil());  // even a health check is "Python code" and needs the GIL
    switch (r.kind) {
        case Route::Kind::root: return json_response(req.version(), http::status::ok, root_body());
        case Route::Kind::health:
            return json_response(req.version(), http::status::ok, health_body());
        case Route::Kind::stats:
            if (auto key = req[run_key_header];  // the run's figures are its own
                !may_control(std::string_view(key.data(), key.size())))
                return json_response(req.version(), http::status::forbidden,
                                     error_body(403,
                                                "GET /stats answers the run that started "
                                                "this server: send its key (X-Lab-Key)"));
            return json_response(req.version(), http::status::ok, stats_body(r.reset));
        default: break;
    }
    Response res = json_response(req.version(), static_cast<http::status>(r.status), r.error_body);
    if (!r.allow.empty()) res.set(http::field::allow, r.allow);
    return res;
}

Response accepted(const Request& req, const Route& r, long id) {
    Gil::Hold hold(process_gil());  // the route's own code runs before the task, under the GIL
    return json_response(req.version(), http::status::accepted, accepted_body(r, id));
}

Response answer_after(const Request& req, const Route& r, const ServiceRecord& served) {
    const bool no_row = r.kind == Route::Kind::user && !served.db.found;
    return json_response(req.version(), no_row ? http::status::not_found : http::status::ok,
                         served_body(r, served));
}

}  // namespace lab
