#pragma once
// `lab doctor`'s first step: an app's routes, as its probe reads them from the app itself
// (GET /__lab/routes: FastAPI's OpenAPI schema, else Starlette's route list), and the one request
// the doctor will send each. Values come from the parameters' types, or from --examples; only GET
// and HEAD are sent unless the user allows more, so the doctor never writes to a database unasked.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lab {

struct RouteParam {
    std::string name;
    std::string in;  // "path" or "query"
    std::string type;  // "integer", "number", "string", "boolean", "array", "other"
    bool required = false;
    nlohmann::json fallback;  // the route's default, or its enum's first value (null: none)
};

struct AppRoute {
    std::string method, path;  // "GET", "/price/{item_id}"
    std::string endpoint;  // "app.main:price"
    std::string kind = "http";  // "http", "websocket", "mount": only http is called
    bool is_async = false;  // `async def`: runs on the loop; `def`: in the thread pool
    std::vector<RouteParam> params;
    bool has_body = false, body_required = false;
    nlohmann::json body_schema;
    std::string key() const {
        return method + " " + path;
    }  // "GET /price/{item_id}", as --examples names it
};

// What the probe's GET /__lab/routes lists; throws std::runtime_error on a body it did not write.
std::vector<AppRoute> routes_from_json(const nlohmann::json& listed);

// One route's request, or why the doctor does not send one.
struct PlannedRequest {
    AppRoute route;
    std::string target;  // "/price/1", "/search?q=a"
    std::string body;  // JSON, or empty
    std::vector<std::string> headers;  // "Name: value" (--examples' headers and cookies)
    // Why not sent ("POST: only GET and HEAD unless --methods POST"); empty: sent
    std::string skipped;
};

// Per route (its key), the values to send: path and query parameters, a body, header fields
// ("Name: value") and cookies (sent as one Cookie field).
struct RouteExample {
    std::map<std::string, std::string> path, query;
    std::string body;  // JSON, a string as given, or a form urlencoded
    std::string skip;  // `skip = "why"`: not sent (a route that fails when sent does not fail CI)
    std::vector<std::string> headers;
};
// Whether the fields ("Name: value") give a Content-Type: a body is sent as JSON unless they do.
bool has_content_type(const std::vector<std::string>& headers);
using Examples = std::map<std::string, RouteExample>;

// An --examples TOML file: a table per route, keyed "GET /price/{item_id}", with `path`, `query`,
// `headers` and `cookies` tables and a `body` (a table, sent as JSON, or a string) or a `form` (a
// table, sent urlencoded: an OAuth2 password login's `form = { username = "ada", password = "…"
// }`), or `skip = "why"`. Throws std::invalid_argument naming the file, the key and the reason; a
// file that is not a regular file (a FIFO would hang the read, a device never end it) or is over
// max_examples_bytes is refused before it is opened.
inline constexpr std::uintmax_t max_examples_bytes = 1 << 20;
Examples read_examples(const std::filesystem::path& file);

// The requests the doctor sends, one a route: GET and HEAD, plus `methods`, plus any route with an
// example. Every route of the app is listed, with why not where it is not sent; the framework's
// own (FastAPI's /docs and /openapi.json) are left out.
std::vector<PlannedRequest> plan_requests(const std::vector<AppRoute>& routes,
                                          const Examples& examples,
                                          const std::set<std::string>& methods);

}  // namespace lab
